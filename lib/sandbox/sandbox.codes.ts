import { randomInt, timingSafeEqual } from 'node:crypto';

/** `length` random decimal digits, from a CSPRNG: a sandbox's codes. @internal */
export function randomDigits(length: number): string {
  let digits = '';
  for (let i = 0; i < length; i += 1) {
    digits += String(randomInt(10));
  }
  return digits;
}

/** Whether two codes are equal, compared in constant time. @internal */
export function sameCode(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
