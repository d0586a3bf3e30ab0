import { createHash } from 'node:crypto';
import { subjectOf } from './ledger-subject.util';

describe('subjectOf', () => {
  it('is the SHA-256 (hex) of the E.164 number: shared state holds no number', () => {
    const e164 = '+919999900001';
    expect(subjectOf(e164)).toBe(createHash('sha256').update(e164).digest('hex'));
    expect(subjectOf(e164)).not.toContain('9999900001');
    expect(subjectOf('+919999900002')).not.toBe(subjectOf(e164));
  });
});
