import * as v from 'valibot';
import {
  digits,
  flag,
  fromEnv,
  httpUrl,
  leaf,
  secret,
  section,
  text,
} from '../../validation/option.checks';

/** Verihubs' production address. */
export const DEFAULT_VERIHUBS_BASE_URL = 'https://api.verihubs.com';

/** The SMS text unless configured otherwise; `$OTP` is where the code goes. */
export const DEFAULT_VERIHUBS_TEMPLATE =
  'Your verification code is $OTP. It expires soon; do not share it with anyone.';

/** The App-ID and API-Key the embedded sandbox takes. */
export const VERIHUBS_SANDBOX_CREDENTIALS = {
  appId: 'sandbox-app-id',
  apiKey: 'sandbox-api-key',
} as const;

/**
 * Verihubs' options once checked, defaults applied (`options.verihubs`, or
 * `undefined` when Verihubs is not configured).
 *
 * @internal
 */
export interface ResolvedVerihubsOptions {
  appId: string;
  apiKey: string;
  /** Without a trailing slash; the embedded sandbox's address in sandbox mode. */
  baseUrl: string;
  /** Call Verihubs' own sandbox: every path gets `/sandbox` appended. */
  useProviderSandbox: boolean;
  /** The SMS text, with `$OTP` where the code goes. */
  template: string;
  /** The challenge of sends without a purpose; a purpose gets a challenge of its own. */
  challenge: string;
  /** How long a code lives, in seconds (`time_limit`). */
  timeLimitSeconds: number;
  /** WhatsApp's pre-approved template; WhatsApp sends are refused without it. */
  whatsapp: { templateName: string; langCode: string } | undefined;
  /**
   * Delivery callbacks: `url` is the public address Verihubs calls (the module adds
   * the session's token to it), `path` the route the application mounts.
   */
  callback: { url: string; path: string } | undefined;
  /** Requests started per second towards Verihubs; 0 means no cap. */
  maxRequestsPerSecond: number;
}

const VERIHUBS_TEXT = 'must be a text of at most 640 characters with $OTP where the code goes';

/**
 * Verihubs' options a variable can set, by their names in `VERIFYNOW_ENV_VARS`:
 * each with its variable, check and message, conversion, default and secrecy.
 *
 * @internal
 */
export const VERIHUBS_ENV = {
  verihubsAppId: fromEnv(
    'VERIHUBS_APP_ID',
    text('must be your Verihubs App ID without spaces', /^\S{1,128}$/),
  ),
  verihubsApiKey: secret(
    'VERIHUBS_API_KEY',
    text('must be your Verihubs API key, at least 8 characters without spaces', /^\S{8,512}$/),
  ),
  verihubsBaseUrl: fromEnv(
    'VERIHUBS_BASE_URL',
    httpUrl(DEFAULT_VERIHUBS_BASE_URL),
    DEFAULT_VERIHUBS_BASE_URL,
    'url',
  ),
  verihubsUseProviderSandbox: fromEnv(
    'VERIHUBS_USE_PROVIDER_SANDBOX',
    leaf('must be true or false', flag),
    false,
  ),
  verihubsTemplate: fromEnv(
    'VERIHUBS_TEMPLATE',
    leaf(VERIHUBS_TEXT, (value) =>
      typeof value === 'string' && value.includes('$OTP') && value.length <= 640
        ? value
        : undefined,
    ),
    DEFAULT_VERIHUBS_TEMPLATE,
  ),
  verihubsChallenge: fromEnv(
    'VERIHUBS_CHALLENGE',
    text('must be 1 to 64 letters, digits, _ or -', /^[\w-]{1,64}$/),
    'verifynow',
  ),
  verihubsTimeLimitSeconds: fromEnv(
    'VERIHUBS_TIME_LIMIT_SECONDS',
    digits(30, 3600, 'must be an integer number of seconds from 30 to 3600'),
    300,
  ),
  verihubsWhatsappTemplateName: fromEnv(
    'VERIHUBS_WHATSAPP_TEMPLATE_NAME',
    text('must be the name of an approved WhatsApp template', /^[\w-]{1,128}$/),
  ),
  verihubsWhatsappLangCode: fromEnv(
    'VERIHUBS_WHATSAPP_LANG_CODE',
    text('must be a WhatsApp language code, e.g. id or en_US', /^[a-z]{2,3}(_[A-Z]{2})?$/),
    'id',
  ),
  verihubsCallbackUrl: fromEnv(
    'VERIHUBS_CALLBACK_URL',
    httpUrl('https://api.example.com/verifynow/verihubs/callback'),
    undefined,
    'url',
  ),
  verihubsMaxRequestsPerSecond: fromEnv(
    'VERIHUBS_MAX_REQUESTS_PER_SECOND',
    digits(0, 100_000, 'must be an integer from 0 (no cap) to 100000 requests per second'),
    50,
  ),
};

const E = VERIHUBS_ENV;

/** The `verihubs` section of the options. @internal */
export const VERIHUBS_SECTION = section('must be an object of Verihubs settings', {
  appId: E.verihubsAppId,
  apiKey: E.verihubsApiKey,
  baseUrl: E.verihubsBaseUrl,
  useProviderSandbox: E.verihubsUseProviderSandbox,
  template: E.verihubsTemplate,
  challenge: E.verihubsChallenge,
  timeLimitSeconds: E.verihubsTimeLimitSeconds,
  whatsapp: section('must be an object: { templateName, langCode }', {
    templateName: E.verihubsWhatsappTemplateName,
    langCode: E.verihubsWhatsappLangCode,
  }),
  callback: section('must be an object: { url, path }', {
    url: E.verihubsCallbackUrl,
    path: v.optional(
      leaf('must be a path starting with /, e.g. /verifynow/verihubs/callback', (value) =>
        typeof value === 'string' && /^\/[\w\-./]{0,200}$/.test(value) ? value : undefined,
      ),
    ),
  }),
  maxRequestsPerSecond: E.verihubsMaxRequestsPerSecond,
});

/** The checked section, as the schema outputs it. @internal */
export type CheckedVerihubsSection = v.InferOutput<typeof VERIHUBS_SECTION>;

/**
 * Verihubs' settings from its checked section, or `undefined` when neither App-ID
 * nor API key is given; in sandbox mode, the sandbox's own credentials.
 *
 * @internal
 */
export function resolveVerihubs(
  section: CheckedVerihubsSection,
  sandbox: boolean,
  problems: string[],
): ResolvedVerihubsOptions | undefined {
  const { appId, apiKey, whatsapp, callback, ...rest } = section;
  const credentials = sandbox ? VERIHUBS_SANDBOX_CREDENTIALS : { appId, apiKey };
  if (credentials.appId === undefined && credentials.apiKey === undefined) {
    return undefined;
  }
  if (credentials.appId === undefined || credentials.apiKey === undefined) {
    problems.push(
      'verihubs.appId (VERIHUBS_APP_ID) and verihubs.apiKey (VERIHUBS_API_KEY) go together: set both',
    );
    return undefined;
  }
  const url = callback.url;
  return {
    ...rest,
    appId: credentials.appId,
    apiKey: credentials.apiKey,
    whatsapp:
      whatsapp.templateName === undefined
        ? undefined
        : { templateName: whatsapp.templateName, langCode: whatsapp.langCode },
    callback: url === undefined ? undefined : { url, path: callback.path ?? new URL(url).pathname },
  };
}
