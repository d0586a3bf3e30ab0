import * as v from 'valibot';
import {
  fromEnv,
  httpUrl,
  int,
  leaf,
  oneOf,
  secret,
  section,
  text,
} from '../../validation/option.checks';

/** VerifyNow's production address. */
export const DEFAULT_BASE_URL = 'https://cpaas.messagecentral.com';

/** The credentials of the embedded sandbox, which takes no others. */
export const SANDBOX_DEFAULT_CREDENTIALS = {
  customerId: 'C-SANDBOX',
  password: 'sandbox',
} as const;

/** How the module authenticates to VerifyNow. */
export type VerifyNowCredentials =
  /** A token is fetched, cached and refreshed from these; `key` is the Base64 of the password. */
  | { type: 'key'; customerId: string; key: string }
  /** A pre-issued token; never refreshed. */
  | { type: 'token'; customerId: string | undefined; authToken: string };

const KEY = 'must be the account password encoded in Base64 (or set password instead)';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * VerifyNow's options, top-level in `VerifyNowModuleOptions`: each with its variable,
 * check and message, conversion, default and secrecy.
 *
 * @internal
 */
export const VERIFYNOW_OPTIONS = {
  customerId: fromEnv(
    'VERIFYNOW_CUSTOMER_ID',
    text(
      'must be your Message Central account id without spaces, e.g. C-33432A5F49F7404',
      /^\S{1,128}$/,
    ),
  ),
  password: secret(
    'VERIFYNOW_PASSWORD',
    leaf(
      'must be a non-empty string (the account password, in plain text)',
      (value) => (typeof value === 'string' && value) || undefined,
    ),
  ),
  key: secret(
    'VERIFYNOW_KEY',
    text(
      (value) =>
        typeof value === 'string' && /^.{4}/.test(value.trim())
          ? `${KEY}; the value given is not Base64`
          : KEY,
      /^.{4}/,
      (key) => (BASE64.test(key) ? key : undefined),
    ),
  ),
  authToken: secret(
    'VERIFYNOW_AUTH_TOKEN',
    text('must be a token of at least 8 characters without spaces', /^\S{8,}$/),
  ),
  country: fromEnv(
    'VERIFYNOW_COUNTRY',
    text(
      "must be the account's country as a dial code (e.g. 91) or ISO code (e.g. IN)",
      /^(\+?[1-9]\d{0,3}|[A-Za-z]{2})$/,
      (country) => country.replace('+', ''),
    ),
  ),
  email: fromEnv(
    'VERIFYNOW_EMAIL',
    text('must be an e-mail address', /^[^\s@]+@[^\s@]+\.[^\s@]+$/),
  ),
  baseUrl: fromEnv('VERIFYNOW_BASE_URL', httpUrl(DEFAULT_BASE_URL), DEFAULT_BASE_URL, 'url'),
  apiVersion: fromEnv('VERIFYNOW_API_VERSION', oneOf(['v3', 'v2'], "must be 'v3' or 'v2'"), 'v3'),
};

/** How the token fetch is retried; its delays must not shrink. @internal */
export const VERIFYNOW_TOKEN_RETRY = v.pipe(
  section('must be an object: { retries, baseDelayMs, maxDelayMs }', {
    retries: int(0, 10, 3),
    baseDelayMs: int(0, 60_000, 250),
    maxDelayMs: int(0, 300_000, 5000),
  }),
  v.forward(
    v.partialCheck(
      [['baseDelayMs'], ['maxDelayMs']],
      ({ baseDelayMs, maxDelayMs }) => maxDelayMs >= baseDelayMs,
      'must be at least tokenRetry.baseDelayMs',
    ),
    ['maxDelayMs'],
  ),
);

/** The options that make up live credentials. @internal */
export const CREDENTIAL_OPTIONS = ['customerId', 'password', 'key', 'authToken'] as const;

/** One of the options that make up live credentials. @internal */
export type CredentialOption = (typeof CREDENTIAL_OPTIONS)[number];
/** The valid credential options given, and the API version. @internal */
export type VerifyNowGiven = { -readonly [K in CredentialOption]?: string } & {
  apiVersion: string;
};

/**
 * The live credentials the valid options given make, or `undefined` with the reason
 * in `problems`; `label` names an option as messages print it.
 *
 * @internal
 */
export function verifyNowCredentials(
  given: VerifyNowGiven,
  problems: string[],
  label: (option: CredentialOption) => string,
): VerifyNowCredentials | undefined {
  const { customerId, password, key, authToken, apiVersion } = given;
  const [secret, either] = [password ?? key, `${label('password')} or ${label('key')}`];
  if (password !== undefined && key !== undefined) {
    problems.push(`set only one of ${either}: key is the Base64 of password`);
  } else if (authToken !== undefined && secret !== undefined) {
    problems.push(
      `set either ${label('authToken')} or a password/key, not both: a pre-issued token is never refreshed`,
    );
  } else if (authToken !== undefined && apiVersion === 'v2' && !customerId) {
    problems.push(
      `${label('customerId')} is required with apiVersion v2: its paths carry the customer id`,
    );
  } else if (authToken !== undefined) {
    return { type: 'token', customerId, authToken };
  } else if (secret !== undefined && customerId !== undefined) {
    return { type: 'key', customerId, key: key ?? Buffer.from(secret).toString('base64') };
  } else if (secret !== undefined) {
    problems.push(`${label('customerId')} is required with a password or key`);
  } else if (customerId !== undefined) {
    problems.push(`${either} is required with ${label('customerId')}`);
  } // Otherwise every credential given is invalid, and reported already.
  return undefined;
}

/** What a problem says to do for live credentials. @internal */
export const howToSetCredentials = (label: (option: CredentialOption) => string) =>
  `set ${label('customerId')} with ${label('password')} (or ${label('key')}), or ${label('authToken')}`;

/** The credentials the embedded sandbox takes, as the module sends them. @internal */
export const sandboxCredentials = (): VerifyNowCredentials => ({
  type: 'key',
  customerId: SANDBOX_DEFAULT_CREDENTIALS.customerId,
  key: Buffer.from(SANDBOX_DEFAULT_CREDENTIALS.password).toString('base64'),
});
