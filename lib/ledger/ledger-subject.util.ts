import * as crypto from 'node:crypto';
import { isInternationalForm, parsePhoneNumber } from '../phone/phone-number.util';

/** SHA-256 in hex: node's one-shot `crypto.hash` (Node 20.12+), else a Hash object. */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');

/**
 * How the ledger and the counters name a phone number: the SHA-256 of its E.164
 * form, so that shared state holds no phone numbers.
 *
 * @internal
 */
export function subjectOf(e164: string): string {
  return sha256Hex(e164);
}

/** Parses an international number (`+…`) to its E.164 form, throwing when it is not valid. */
type InternationalParser = (text: string) => string;

/**
 * The subjects of phone numbers written in international form (`+91 99999
 * 00001`), remembered under the SHA-256 of the text as given: a number a send
 * has parsed (libphonenumber-js with full metadata, the costliest step of a
 * guarded request) is not parsed again when the guard checks its proof. It
 * holds hashes only, never a number; at most `capacity` of them, the one used
 * longest ago forgotten first. Parsing is a pure function of the text, so one
 * memo serves every module instance of the process.
 *
 * @internal
 */
export class PhoneSubjects {
  /** SHA-256 of the text → its subject, in order of last use. */
  private readonly subjects = new Map<string, string>();

  constructor(
    private readonly parse: InternationalParser,
    private readonly capacity = 4096,
  ) {}

  /**
   * The subject of `text`, an international number.
   *
   * @throws what `parse` throws for a text that is not a valid number (never remembered).
   */
  of(text: string): string {
    const key = sha256Hex(text);
    const subject = this.subjects.get(key) ?? subjectOf(this.parse(text));
    this.keep(key, subject);
    return subject;
  }

  /**
   * Remembers that `text` parsed to the number `subject` names, when `text` is in
   * international form (`parse` reads it the same with or without a default
   * country code).
   */
  remember(text: string, subject: string): void {
    if (isInternationalForm(text)) {
      this.keep(sha256Hex(text), subject);
    }
  }

  /** Keeps `subject` under `key` as the newest, forgetting the oldest past `capacity`. */
  private keep(key: string, subject: string): void {
    this.subjects.delete(key);
    this.subjects.set(key, subject);
    if (this.subjects.size > this.capacity) {
      this.subjects.delete(this.subjects.keys().next().value as string);
    }
  }
}

/**
 * The process's memo of phone subjects: sends remember the numbers they parsed,
 * the step-up check reads them back.
 *
 * @internal
 */
export const phoneSubjects = new PhoneSubjects(
  (text) => parsePhoneNumber({ phoneNumber: text }).e164,
);
