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

/**
 * Masks any run of six or more digits in free text (a phone number the upstream
 * echoed back, say) to its last four digits.
 */
export function maskDigitRuns(text: string): string {
  return text.replace(/\+?\d{6,}/g, (run) => maskPhoneNumber(run));
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
 * removes each given secret, masks digit runs, drops control characters and
 * bounds the length.
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
