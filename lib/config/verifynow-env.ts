/** The environment variable behind each option. */
export const VERIFYNOW_ENV_VARS = {
  customerId: 'VERIFYNOW_CUSTOMER_ID',
  password: 'VERIFYNOW_PASSWORD',
  key: 'VERIFYNOW_KEY',
  authToken: 'VERIFYNOW_AUTH_TOKEN',
  country: 'VERIFYNOW_COUNTRY',
  email: 'VERIFYNOW_EMAIL',
  baseUrl: 'VERIFYNOW_BASE_URL',
  apiVersion: 'VERIFYNOW_API_VERSION',
  defaultCountryCode: 'VERIFYNOW_DEFAULT_COUNTRY_CODE',
  defaultFlowType: 'VERIFYNOW_FLOW_TYPE',
  otpLength: 'VERIFYNOW_OTP_LENGTH',
  timeoutMs: 'VERIFYNOW_TIMEOUT_MS',
  sandbox: 'VERIFYNOW_SANDBOX',
  sandboxCode: 'VERIFYNOW_SANDBOX_CODE',
  sandboxPort: 'VERIFYNOW_SANDBOX_PORT',
  redisUrl: 'VERIFYNOW_REDIS_URL',
  allowedCountries: 'VERIFYNOW_ALLOWED_COUNTRIES',
  maxRequestsPerSecond: 'VERIFYNOW_MAX_REQUESTS_PER_SECOND',
} as const;

/** Options, as read from the environment: every value still a string, checked later. */
export type VerifyNowEnvOptions = {
  -readonly [K in keyof typeof VERIFYNOW_ENV_VARS]?: string;
};

/** The environment variables, e.g. `process.env`. */
export type EnvironmentSource = Readonly<Record<string, string | undefined>>;

/**
 * Reads the `VERIFYNOW_*` variables. Empty values count as unset. Values stay
 * strings; `resolveVerifyNowOptions` checks and converts them, so that a bad value
 * is reported with the name of its variable.
 */
export function readVerifyNowEnv(env: EnvironmentSource = process.env): VerifyNowEnvOptions {
  const options: VerifyNowEnvOptions = {};
  for (const [option, variable] of Object.entries(VERIFYNOW_ENV_VARS) as [
    keyof VerifyNowEnvOptions,
    string,
  ][]) {
    const value = env[variable];
    if (value !== undefined && value.trim() !== '') {
      options[option] = value.trim();
    }
  }
  return options;
}

/** An option's name as errors print it: `otpLength (VERIFYNOW_OTP_LENGTH)`. */
export function optionLabel(option: keyof typeof VERIFYNOW_ENV_VARS): string {
  return `${NESTED_NAMES[option] ?? option} (${VERIFYNOW_ENV_VARS[option]})`;
}

/** Where the options that live inside another one sit in code. */
const NESTED_NAMES: Partial<Record<keyof typeof VERIFYNOW_ENV_VARS, string>> = {
  sandboxCode: 'sandbox.code',
  sandboxPort: 'sandbox.port',
  redisUrl: 'store.redis.url',
  allowedCountries: 'limits.allowedCountries',
};
