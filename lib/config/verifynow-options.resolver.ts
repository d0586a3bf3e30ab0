import * as v from 'valibot';
import { VerifyNowConfigurationError } from '../errors/verifynow-configuration.error';
import type { VerifyNowModuleOptions } from '../interfaces/verifynow-module-options.interface';
import { EnvironmentSource, optionLabel, readVerifyNowEnv } from './verifynow-env';
import { UNKNOWN_KEY, isObject } from './verifynow-option-checks';
import { ENV_PATHS, KNOWN_KEYS, OPTIONS, pathOf } from './verifynow-options.schema';
import { closestKey, printableKey } from './verifynow-option-keys';
import { CREDENTIAL_OPTIONS, decideSandboxMode } from './verifynow-sandbox-mode';
import {
  ResolvedVerifyNowOptions,
  SANDBOX_DEFAULT_CREDENTIALS,
  VerifyNowCredentials,
} from './verifynow-resolved-options';

export {
  DEFAULT_BASE_URL,
  DEFAULT_OTP_LENGTH,
  DEFAULT_TIMEOUT_MS,
} from './verifynow-config.constants';

export {
  SANDBOX_DEFAULT_CREDENTIALS,
  type ResolvedGuardOptions,
  type ResolvedLimitsOptions,
  type ResolvedStoreOptions,
  type ResolvedVerifyNowOptions,
  type VerifyNowCredentials,
} from './verifynow-resolved-options';

/** The options as checked, less the index signature of the unknown-key check. */
type Checked<T> = T extends object
  ? string extends keyof T
    ? { [K in keyof T as string extends K ? never : K]: Checked<T[K]> }
    : T
  : T;

/** Sets `value` at `at` where nothing is set: copying, never changing, the objects on the way. */
function fill(parent: Record<PropertyKey, unknown>, at: readonly PropertyKey[], value: unknown) {
  const [key, ...rest] = at;
  const child =
    parent[key] === undefined && rest.length > 0 && value !== undefined ? {} : parent[key];
  if (rest.length === 0) {
    parent[key] ??= value;
  } else if (isObject(child) || Array.isArray(child)) {
    fill(
      (parent[key] = Array.isArray(child)
        ? [...(child as unknown[])]
        : { ...child }) as typeof parent,
      rest,
      value,
    );
  }
}

/**
 * Checks the options of code, each left out (or `null`) read from its variable. Returns
 * every unknown key (in the order given) and every invalid option, with what is valid.
 */
function check(code: unknown, env: EnvironmentSource) {
  const variables = readVerifyNowEnv(env);
  const raw: Record<string, unknown> = isObject(code) ? { ...code } : {};
  raw.sandbox = isObject(raw.sandbox) ? [true, raw.sandbox] : [raw.sandbox, {}];
  ENV_PATHS.forEach((at, option) => fill(raw, at, variables[option]));
  const { output, issues = [] } = v.safeParse(OPTIONS, raw, {
    message: (issue) => `${issue.expected}`,
  });
  const unknown = new Map<string, string>();
  const invalid = new Map<string, string>();
  for (const { message, path = [] } of issues) {
    const at = path.map((item) => item.key as PropertyKey);
    const [parent, key] = [pathOf(at.slice(0, -1)), String(at.at(-1))];
    if (message !== UNKNOWN_KEY) {
      // One problem per option: the first its check found.
      if (!invalid.has(pathOf(at))) invalid.set(pathOf(at), `${pathOf(at)} ${message}`);
      continue;
    }
    const prefix = parent && `${parent}.`;
    const guess = closestKey(key, KNOWN_KEYS.get(parent) ?? []);
    const hint = guess === undefined ? '' : ` (did you mean ${prefix}${guess}?)`;
    // In the order given: by each key's place among its siblings, level by level.
    const order = path.map((item) => Object.keys(item.input as object).indexOf(String(item.key)));
    unknown.set(
      order.map((place) => `${place}`.padStart(6)).join(),
      `unknown option ${prefix}${printableKey(key)}${hint}`,
    );
  }
  const given = CREDENTIAL_OPTIONS.filter((option) => raw[option] !== undefined);
  const valid = (...paths: string[]) =>
    paths.every((path) => ![...invalid.keys()].some((bad) => `${path}.`.startsWith(`${bad}.`)));
  const problems = [...unknown].sort().map(([, problem]) => problem);
  const options = output as Checked<v.InferOutput<typeof OPTIONS>>;
  return { options, variables, given, valid, problems, invalid };
}

/** The live credentials the valid ones given make, or why they make none. */
function liveCredentials(
  given: Partial<Record<(typeof CREDENTIAL_OPTIONS)[number], string>>,
  valid: (option: string) => boolean,
  problems: string[],
) {
  const [customerId, password, key, authToken] = CREDENTIAL_OPTIONS.map((option) =>
    valid(option) ? given[option] : undefined,
  );
  const [secret, label] = [password ?? key, `${optionLabel('password')} or ${optionLabel('key')}`];
  if (password !== undefined && key !== undefined) {
    problems.push(`set only one of ${label}: key is the Base64 of password`);
  } else if (authToken !== undefined && secret !== undefined) {
    problems.push(
      `set either ${optionLabel('authToken')} or a password/key, not both: a pre-issued token is never refreshed`,
    );
  } else if (authToken !== undefined) {
    return { type: 'token' as const, customerId, authToken };
  } else if (secret !== undefined && customerId !== undefined) {
    return { type: 'key' as const, customerId, key: key ?? Buffer.from(secret).toString('base64') };
  } else if (secret !== undefined) {
    problems.push(`${optionLabel('customerId')} is required with a password or key`);
  } else if (customerId !== undefined) {
    problems.push(`${label} is required with ${optionLabel('customerId')}`);
  } // Otherwise every credential given is invalid, and reported already.
  return undefined;
}

/** The password inside a Redis URL, which must not leak on its own either. */
function redisPassword(url: string | undefined): string | undefined {
  try {
    return decodeURIComponent(new URL(url ?? '').password);
  } catch {
    return undefined;
  }
}

/**
 * Checks the module's options and fills in defaults. Each option comes from code
 * when given there, else from its `VERIFYNOW_*` environment variable.
 *
 * @throws VerifyNowConfigurationError naming every bad, missing or unknown option,
 *   with its environment variable; secret values are never repeated.
 * @internal
 */
export function resolveVerifyNowOptions(
  options: VerifyNowModuleOptions = {},
  env: EnvironmentSource = process.env,
): ResolvedVerifyNowOptions {
  const { options: o, given, valid, problems, invalid } = check(options, env);
  const { customerId, password, key, authToken, sandbox, store, limits, circuitBreaker, ...rest } =
    o;
  // A sandbox setting that is not a boolean is reported already: deciding on it would add noise.
  const { mode, reason } = valid('sandbox')
    ? decideSandboxMode(sandbox[0], given, env.NODE_ENV, problems)
    : { mode: 'live' as const, reason: undefined };
  const live =
    given.length > 0
      ? liveCredentials({ customerId, password, key, authToken }, valid, problems)
      : undefined;
  const sandboxKey = Buffer.from(SANDBOX_DEFAULT_CREDENTIALS.password).toString('base64');
  const credentials: VerifyNowCredentials | undefined =
    mode === 'sandbox'
      ? { type: 'key', customerId: SANDBOX_DEFAULT_CREDENTIALS.customerId, key: sandboxKey }
      : live;
  const { guard, tokenRetry } = rest;
  const rule = (broken: boolean, problem: () => string) => broken && problems.push(problem());
  rule(
    valid('apiVersion') &&
      rest.apiVersion === 'v2' &&
      credentials?.type === 'token' &&
      !credentials.customerId,
    () =>
      `${optionLabel('customerId')} is required with apiVersion v2: its paths carry the customer id`,
  );
  rule(
    valid('guard.maxAgeSeconds', 'store.ledgerTtlSeconds') &&
      store.ledgerTtlSeconds < guard.maxAgeSeconds,
    () =>
      `store.ledgerTtlSeconds (${store.ledgerTtlSeconds}) must be at least guard.maxAgeSeconds (${guard.maxAgeSeconds}): the ledger would forget verifications the guard still accepts`,
  );
  rule(
    valid('guard.headers.code', 'guard.headers.verificationId') &&
      guard.headers.code === guard.headers.verificationId,
    () => 'guard.headers.verificationId and guard.headers.code must differ',
  );
  rule(
    valid('tokenRetry.maxDelayMs', 'tokenRetry.baseDelayMs') &&
      tokenRetry.maxDelayMs < tokenRetry.baseDelayMs,
    () => 'tokenRetry.maxDelayMs must be at least tokenRetry.baseDelayMs',
  );
  problems.push(...invalid.values());
  if (problems.length > 0 || credentials === undefined) {
    throw new VerifyNowConfigurationError(problems);
  }
  const [{ url, client, keyPrefix }, { code, port }] = [store.redis, sandbox[1]];
  const on = limits || undefined;
  const secrets = [password, key, authToken, code, url, redisPassword(url)];
  return {
    ...rest,
    country: rest.country,
    email: rest.email,
    defaultCountryCode: rest.defaultCountryCode,
    guard: { ...guard, resolvePhoneNumber: guard.resolvePhoneNumber, flowType: guard.flowType },
    mode,
    sandboxReason: reason,
    credentials,
    sandbox: { port, code },
    circuitBreaker: circuitBreaker || undefined,
    store: {
      redis: (url ?? client) ? { url: client ? undefined : url, client, keyPrefix } : undefined,
      ledger: store.ledger,
      ledgerTtlMs: store.ledgerTtlSeconds * 1000,
    },
    limits: {
      perPhoneNumber: on?.perPhoneNumber || undefined,
      perClientIp: on?.perClientIp || undefined,
      allowedCountries: on?.allowedCountries && new Set(on.allowedCountries),
      storage: on?.storage,
    },
    // The key the module sends, in sandbox mode too.
    secrets: [
      ...new Set([...secrets, credentials.type === 'key' ? credentials.key : undefined]),
    ].filter((secret): secret is string => !!secret),
  };
}

/**
 * Reads the module's options from `VERIFYNOW_*` environment variables, converted to
 * their types: what `verifyNowConfig` (the `registerAs` factory) returns.
 *
 * @throws VerifyNowConfigurationError when a variable holds a bad value.
 */
export function verifyNowOptionsFromEnv(
  env: EnvironmentSource = process.env,
): VerifyNowModuleOptions {
  const { options: checked, variables, invalid } = check({}, env);
  if (invalid.size > 0) {
    throw new VerifyNowConfigurationError([...invalid.values()]);
  }
  const options: Record<string, unknown> = {};
  ENV_PATHS.forEach((at, option) => {
    const value = at.reduce<unknown>(
      (parent, key) => (parent as Record<PropertyKey, unknown>)[key],
      checked,
    );
    if (variables[option] !== undefined && at[0] !== 'sandbox') fill(options, at, value);
  });
  // The sandbox's code and port apply only when it runs: they do not switch it on here.
  const [on, { code, port }] = checked.sandbox;
  const settings = { code, port: variables.sandboxPort && port };
  options.sandbox = on && (variables.sandboxCode ?? variables.sandboxPort) ? settings : on;
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
