import * as v from 'valibot';
import { VerifyNowConfigurationError } from '../errors/verifynow-configuration.error';
import type { VerifyNowModuleOptions } from '../interfaces/verifynow-module-options.interface';
import { CREDENTIAL_OPTIONS, VerifyNowGiven } from '../providers/verifynow/verifynow.options';
import { resolveUpstreams } from '../providers/providers.options';
import { closestKey, printableKey } from '../validation/closest-key.util';
import { UNKNOWN_KEY, isObject } from '../validation/option.checks';
import { Checked, fill, pathOf, valueAt } from '../validation/option-tree.util';
import { EnvironmentSource, optionLabel, readVerifyNowEnv } from './verifynow-env';
import { ENV_PATHS, KNOWN_KEYS, OPTIONS } from './verifynow-options.schema';

/**
 * Checks the options of code, each left out (or `null`) read from its variable. Returns
 * every unknown key (in the order given) and every invalid option, with what is valid.
 */
function check(code: unknown, env: EnvironmentSource) {
  const variables = readVerifyNowEnv(env);
  const raw: Record<string, unknown> = isObject(code) ? { ...code } : {};
  raw.sandbox = isObject(raw.sandbox) ? [true, raw.sandbox] : [raw.sandbox, {}];
  ENV_PATHS.forEach((at, option) => fill(raw, at, variables[option]));
  const parsed = v.safeParse(OPTIONS, raw, { message: (issue) => `${issue.expected}` });
  const [unknown, invalid] = [new Map<string, string>(), new Map<string, string>()];
  for (const { message, path = [] } of parsed.issues ?? []) {
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
    const sortKey = order.map((place) => `${place}`.padStart(6)).join();
    unknown.set(sortKey, `unknown option ${prefix}${printableKey(key)}${hint}`);
  }
  const given = CREDENTIAL_OPTIONS.filter((option) => raw[option] !== undefined);
  const hub = isObject(raw.verihubs) ? raw.verihubs : {};
  const hubGiven = (['appId', 'apiKey'] as const)
    .filter((key) => hub[key] !== undefined)
    .map((key) => `verihubs.${key} (${key === 'appId' ? 'VERIHUBS_APP_ID' : 'VERIHUBS_API_KEY'})`);
  const valid = (...paths: string[]) =>
    paths.every((path) => ![...invalid.keys()].some((bad) => `${path}.`.startsWith(`${bad}.`)));
  const problems = [...unknown].sort().map(([, problem]) => problem);
  const options = parsed.output as Checked<v.InferOutput<typeof OPTIONS>>;
  return { options, variables, given, hubGiven, valid, problems, invalid };
}

/** The password inside a Redis URL, which must not leak on its own either. */
function redisPassword(url: string | undefined): string | undefined {
  return url && URL.canParse(url) ? decodeURIComponent(new URL(url).password) : undefined;
}

/**
 * The module's options once checked: every default applied, the mode decided. What
 * the schema (`OPTIONS`) outputs, as the rest of the module reads it.
 *
 * @internal
 */
export type ResolvedVerifyNowOptions = ReturnType<typeof resolveVerifyNowOptions>;

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
) {
  const { options: o, given, hubGiven, valid, problems, invalid } = check(options, env);
  const { sandbox, store, limits, circuitBreaker, guard, verihubs: hub, ...rest } = o;
  const { customerId, password, key, authToken, providers: wanted, ...settings } = rest;
  const live: VerifyNowGiven = { apiVersion: valid('apiVersion') ? rest.apiVersion : 'v3' };
  given.filter((option) => valid(option)).forEach((option) => (live[option] = o[option]));
  const { mode, reason, credentials, verihubs, providers } = resolveUpstreams(
    {
      // A sandbox setting that is not a boolean is reported already: deciding on it adds noise.
      sandbox: valid('sandbox') ? sandbox[0] : null,
      nodeEnv: env.NODE_ENV,
      verifynow: { given, live },
      // Read only when every Verihubs setting is valid (each bad one is reported already).
      verihubs: [...invalid.keys()].some((bad) => `${bad}.`.startsWith('verihubs.'))
        ? { given: hubGiven, section: undefined }
        : { given: hubGiven, section: hub },
      wanted: valid('providers') ? wanted : undefined,
      label: optionLabel,
    },
    problems,
  );
  const rule = (broken: boolean, problem: () => string) => broken && problems.push(problem());
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
  problems.push(...invalid.values());
  if (problems.length > 0 || providers.length === 0) {
    throw new VerifyNowConfigurationError(problems);
  }
  const [{ url, client, keyPrefix }, { code, port }] = [store.redis, sandbox[1]];
  const on = limits || undefined;
  const sent = credentials?.type === 'key' ? credentials.key : undefined;
  return {
    ...settings,
    /** The upstreams, in order of preference. */
    providers,
    /** Verihubs' settings; `undefined` when it is not configured. */
    verihubs: verihubs,
    guard,
    /** `'sandbox'` when the embedded sandbox stands in for the upstream. */
    mode,
    /** Why the sandbox runs: asked for, or chosen because no credentials are set. */
    sandboxReason: reason,
    /** In sandbox mode, always the sandbox's own (`SANDBOX_DEFAULT_CREDENTIALS`). */
    credentials,
    sandbox: { port, code },
    /** `undefined` when the breaker is off. */
    circuitBreaker: circuitBreaker || undefined,
    store: {
      redis: (url ?? client) ? { url: client ? undefined : url, client, keyPrefix } : undefined,
      ledger: store.ledger,
      ledgerTtlMs: store.ledgerTtlSeconds * 1000,
    },
    /** Send limits; an absent limit is off. */
    limits: {
      perPhoneNumber: on?.perPhoneNumber || undefined,
      perClientIp: on?.perClientIp || undefined,
      allowedCountries: on?.allowedCountries && new Set(on.allowedCountries),
      storage: on?.storage,
    },
    /** Values that must never appear in a log line or an error (the key sent, in sandbox mode too). */
    secrets: [
      password,
      key,
      authToken,
      code,
      url,
      redisPassword(url),
      sent,
      verihubs?.apiKey,
      verihubs?.appId,
    ].filter((secret, at, all): secret is string => !!secret && all.indexOf(secret) === at),
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
    const value = valueAt(checked, at);
    if (variables[option] !== undefined && at[0] !== 'sandbox') fill(options, at, value);
  });
  // The sandbox's code and port apply only when it runs: they do not switch it on here.
  const [on, { code, port }] = checked.sandbox;
  const settings = { code, port: variables.sandboxPort && port };
  options.sandbox = on && (variables.sandboxCode ?? variables.sandboxPort) ? settings : on;
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
