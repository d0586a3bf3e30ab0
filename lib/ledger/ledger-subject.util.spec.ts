import { createHash } from 'node:crypto';
import { VerifyNowInvalidInputException } from '../errors/verifynow.exception';
import { PhoneSubjects, phoneSubjects, subjectOf } from './ledger-subject.util';

describe('subjectOf', () => {
  it('is the SHA-256 (hex) of the E.164 number: shared state holds no number', () => {
    const e164 = '+919999900001';
    expect(subjectOf(e164)).toBe(createHash('sha256').update(e164).digest('hex'));
    expect(subjectOf(e164)).not.toContain('9999900001');
    expect(subjectOf('+919999900002')).not.toBe(subjectOf(e164));
  });
});

describe('PhoneSubjects', () => {
  const parsed: string[] = [];
  const parse = (text: string): string => {
    parsed.push(text);
    const digits = text.replace(/[\s().-]/g, '');
    if (!/^\+91\d{10}$/.test(digits)) {
      throw new Error('not a valid number');
    }
    return digits;
  };
  beforeEach(() => {
    parsed.length = 0;
  });

  it('gives the subject of the number as parsed, parsing a text once', () => {
    const subjects = new PhoneSubjects(parse);
    expect(subjects.of('+91 99999 00001')).toBe(subjectOf('+919999900001'));
    expect(subjects.of('+91 99999 00001')).toBe(subjectOf('+919999900001'));
    expect(subjects.of('+919999900001')).toBe(subjectOf('+919999900001'));
    expect(parsed).toEqual(['+91 99999 00001', '+919999900001']);
  });

  it('reads back what a send remembered, without parsing', () => {
    const subjects = new PhoneSubjects(parse);
    subjects.remember('+91 99999 00001', subjectOf('+919999900001'));
    expect(subjects.of('+91 99999 00001')).toBe(subjectOf('+919999900001'));
    expect(parsed).toEqual([]);
  });

  it('remembers no national text (its reading depends on a default country code)', () => {
    const subjects = new PhoneSubjects(parse);
    subjects.remember('9999900001', subjectOf('+919999900001'));
    expect(() => subjects.of('9999900001')).toThrow('not a valid number');
    expect(parsed).toEqual(['9999900001']);
  });

  it('throws for a text that is no valid number, each time: a refusal is never remembered', () => {
    const subjects = new PhoneSubjects(parse);
    expect(() => subjects.of('+1 555')).toThrow('not a valid number');
    expect(() => subjects.of('+1 555')).toThrow('not a valid number');
    expect(parsed).toEqual(['+1 555', '+1 555']);
  });

  it('keeps at most its capacity, forgetting the one used longest ago', () => {
    const subjects = new PhoneSubjects(parse, 2);
    subjects.of('+919999900001');
    subjects.of('+919999900002');
    subjects.of('+919999900001'); // used again: now the newest
    subjects.of('+919999900003'); // forgets ...002
    parsed.length = 0;
    subjects.of('+919999900001');
    subjects.of('+919999900003');
    expect(parsed).toEqual([]);
    subjects.of('+919999900002');
    expect(parsed).toEqual(['+919999900002']);
  });

  it('holds hashes only, never a number', () => {
    const subjects = new PhoneSubjects(parse);
    subjects.of('+91 99999 00001');
    subjects.remember('+919999900002', subjectOf('+919999900002'));
    const held = JSON.stringify([
      ...(subjects as unknown as { subjects: Map<string, string> }).subjects,
    ]);
    expect(held).not.toMatch(/9999900/);
    expect(held).toMatch(/^\[\["[0-9a-f]{64}","[0-9a-f]{64}"\]/);
  });

  it('is the one the step-up check uses, over libphonenumber-js', () => {
    expect(phoneSubjects.of('+91 99999 00001')).toBe(subjectOf('+919999900001'));
    expect(() => phoneSubjects.of('+91 12345')).toThrow(VerifyNowInvalidInputException);
  });
});
