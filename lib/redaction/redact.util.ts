/**
 * Masking helpers: phone numbers keep their last four digits, secrets vanish.
 * Everything this module logs or puts into an error passes through them.
 */

const REDACTED = '[REDACTED]';

/** Query parameters whose value never appears in a log line or an error. */
const SECRET_PARAMS = new Set(['code', 'key', 'authtoken', 'token', 'password']);
/** Query parameters that carry a phone number: masked to the last four digits. */
const PHONE_PARAMS = new Set(['mobilenumber', 'phonenumber', 'msisdn']);

/**
 * Masks all but the last four digits of a phone number, keeping a leading `+`.
 * Numbers of four digits or fewer are masked whole.
 *
 * @example maskPhoneNumber('+919999990001') // '+********0001'
 */
export function maskPhoneNumber(phone: string): string {
  const plus = phone.startsWith('+') ? '+' : '';
  const digits = phone.replace(/\D/g, '');
  if (digits.length <= 4) {
    return plus + '*'.repeat(digits.length);
  }
  return plus + '*'.repeat(digits.length - 4) + digits.slice(-4);
}

/** A group of a written number: digits, or digits in parentheses such as `(999)` or `(+91)`. */
const GROUP = String.raw`(?:\(\+?\d+\)|\d+)`;
/**
 * What may follow a group: a dot or a dash and a group; a space and a group that
 * is not the hour of a clock time (`2024-01-15 10:30`); or, around parentheses, a
 * group with no separator at all (`+1(999)990-0001`, `+44 (0)20 7946 0001`).
 */
const NEXT_GROUP = String.raw`(?:[.\-\u2010-\u2013]${GROUP}|[ \u00a0](?:\(\+?\d+\)|\d+(?!\d|:\d))|\(\+?\d+\)|(?<=\))\d+)`;
/**
 * A number written in two or more groups, e.g. `+91 99999 00001`, `(999) 990-0001`,
 * `999.990.0001`; never starting inside a word or right after a dot (`v1.22.333`).
 */
const SEPARATED_NUMBER = new RegExp(String.raw`(?<![\w.])\+?${GROUP}(?:${NEXT_GROUP})+`, 'g');
/** A number written without separators. */
const DIGIT_RUN = /\+?\d{6,}/g;
/** Digits a run needs, in total, to be masked. */
const MIN_MASKED_DIGITS = 6;

/**
 * Masks the phone numbers in free text (a number the upstream echoed back, say)
 * to their last four digits: every run of six or more digits, and every number
 * written in groups separated by spaces, dashes, dots or parentheses that holds
 * six or more digits in all.
 *
 * Ordinary numbers stay: short ones (`status 400`, `try again in 30 s`), decimals
 * (`1234.56`), dates (`2024-01-15`, `15.01.2024`) and IPv4 addresses
 * (`192.168.100.200:6379`). Digits that merely sit next to each other, such as
 * `500 502 503`, may be masked: the function errs on the side of hiding.
 *
 * @example maskDigitRuns('sent to +91 99999 00001') // 'sent to +********0001'
 * @example maskDigitRuns('call (999) 990-0001')     // 'call ******0001'
 * @internal
 */
export function maskDigitRuns(text: string): string {
  return text
    .replace(SEPARATED_NUMBER, (number) =>
      countDigits(number) < MIN_MASKED_DIGITS || isOrdinaryNumber(number)
        ? number
        : maskPhoneNumber(number),
    )
    .replace(DIGIT_RUN, (run) => maskPhoneNumber(run));
}

function countDigits(text: string): number {
  let count = 0;
  for (const char of text) {
    if (char >= '0' && char <= '9') {
      count += 1;
    }
  }
  return count;
}

/** Written groups that are a decimal number, a date or an IPv4 address rather than a phone number. */
function isOrdinaryNumber(text: string): boolean {
  if (/^\d+\.\d+$/.test(text)) {
    return true;
  }
  const quad = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (quad && quad.slice(1).every((octet) => Number(octet) <= 255)) {
    return true;
  }
  const yearFirst = /^(\d{4})([-.])(\d{1,2})\2(\d{1,2})$/.exec(text);
  if (yearFirst) {
    return isYear(yearFirst[1]) && isMonth(yearFirst[3]) && isDay(yearFirst[4]);
  }
  const yearLast = /^(\d{1,2})([-.])(\d{1,2})\2(\d{4})$/.exec(text);
  if (yearLast) {
    const [, first, , second, year] = yearLast;
    // Day first (15.01.2024) or month first (01-15-2024).
    return isYear(year) && ((isDay(first) && isMonth(second)) || (isMonth(first) && isDay(second)));
  }
  return false;
}

function isYear(text: string): boolean {
  const year = Number(text);
  return year >= 1900 && year <= 2199;
}

function isMonth(text: string): boolean {
  const month = Number(text);
  return month >= 1 && month <= 12;
}

function isDay(text: string): boolean {
  const day = Number(text);
  return day >= 1 && day <= 31;
}

/**
 * Redacts the secrets in a request URL or path: `code`, `key`, `authToken` and
 * the like become `[REDACTED]`, phone numbers keep their last four digits.
 *
 * @example redactUrl('/verification/v3/validateOtp?verificationId=12&code=1234')
 *          // '/verification/v3/validateOtp?verificationId=12&code=[REDACTED]'
 */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) {
    return url;
  }
  const path = url.slice(0, queryStart);
  const query = url
    .slice(queryStart + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq === -1) {
        return pair;
      }
      const name = pair.slice(0, eq);
      const lower = decodeSafely(name).toLowerCase();
      if (SECRET_PARAMS.has(lower)) {
        return `${name}=${REDACTED}`;
      }
      if (PHONE_PARAMS.has(lower)) {
        return `${name}=${maskPhoneNumber(decodeSafely(pair.slice(eq + 1)))}`;
      }
      return pair;
    })
    .join('&');
  return `${path}?${query}`;
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/**
 * Makes text from outside (an upstream message) safe to log or put in an error:
 * removes each given secret, masks phone numbers (see {@link maskDigitRuns}),
 * drops control characters and bounds the length.
 *
 * @internal
 */
export function sanitizeText(
  text: string,
  secrets: Iterable<string> = [],
  maxLength = 200,
): string {
  let clean = text;
  for (const secret of secrets) {
    if (secret.length >= 4) {
      clean = clean.split(secret).join(REDACTED);
    }
  }
  // Control characters are exactly what this strips (log injection, terminal escapes).
  // eslint-disable-next-line no-control-regex
  clean = maskDigitRuns(clean.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim());
  return clean.length > maxLength ? `${clean.slice(0, maxLength)}…` : clean;
}

/**
 * A short picture of a rejected value: objects are named, never stringified (their
 * `toString` may be anything), and a URL's credentials are masked: everything between
 * the scheme and the last `@` (`https://user:secret@host` → `"https://***@host"`).
 */
export function describeValue(value: unknown, shown?: 'url' | 'value'): string {
  let text = Array.isArray(value) ? 'an array' : `a value of type ${typeof value}`;
  if (typeof value === 'string') {
    const [at, scheme] = [value.lastIndexOf('@'), /^[a-z][a-z\d+.-]*:\/\//i.exec(value)?.[0] ?? ''];
    const masked = at >= 0 && (shown === 'url' || value.includes('://'));
    text = JSON.stringify(masked ? `${scheme}***${value.slice(at)}` : value);
  } else if (
    value === null ||
    ['number', 'boolean', 'bigint', 'undefined'].includes(typeof value)
  ) {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
