import {
  VERIFYNOW_FLOW_TYPES,
  VerifyNowApiVersion,
  VerifyNowCircuitBreakerOptions,
  VerifyNowFlowType,
  VerifyNowModuleOptions,
  VerifyNowSandboxModuleOptions,
  VerifyNowTokenRetryOptions,
} from '../interfaces/verifynow-module-options.interface';
import { getCountries } from 'libphonenumber-js/max';
import { VerifyNowConfigurationError } from '../errors/verifynow-configuration.error';
import { isKnownDialCode } from '../phone/phone-number';
import {
  ResolvedGuardOptions,
  ResolvedLimitsOptions,
  ResolvedStoreOptions,
  resolveStateOptions,
} from './verifynow-state-options.resolver';
import { resolveResilienceOptions } from './verifynow-resilience-options.resolver';
import { unknownOptionProblems } from './verifynow-option-keys';
import { CREDENTIAL_OPTIONS, decideSandboxMode } from './verifynow-sandbox-mode';
import {
  EnvironmentSource,
  VerifyNowEnvOptions,
  optionLabel,
  readVerifyNowEnv,
} from './verifynow-env';

/** The upstream's production address. */
export const DEFAULT_BASE_URL = 'https://cpaas.messagecentral.com';
/** Digits in a code unless configured otherwise (the upstream's own default is 4). */
export const DEFAULT_OTP_LENGTH = 6;
/** Deadline of an upstream request unless configured otherwise. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** The credentials of the embedded sandbox, which takes no others. */
export const SANDBOX_DEFAULT_CREDENTIALS = {
  customerId: 'C-SANDBOX',
  password: 'sandbox',
} as const;

/** How the module authenticates to the upstream. */
export type VerifyNowCredentials =
  | {
      /** A token is fetched, cached and refreshed from these. */
      type: 'key';
      customerId: string;
      /** Base64 of the password. */
      key: string;
    }
  | {
      /** A pre-issued token; never refreshed. */
      type: 'token';
      customerId: string | undefined;
      authToken: string;
    };

/**
 * The module's options once checked: every default applied, the mode decided.
 *
 * @internal
 */
export interface ResolvedVerifyNowOptions {
  /** `'sandbox'` when the embedded sandbox stands in for the upstream. */
  mode: 'live' | 'sandbox';
  /** Why the sandbox runs: asked for, or chosen because no credentials are set (development and test only). */
  sandboxReason: 'configured' | 'no-credentials' | undefined;
  /** In sandbox mode, always the sandbox's own (`SANDBOX_DEFAULT_CREDENTIALS`). */
  credentials: VerifyNowCredentials;
  country: string | undefined;
  email: string | undefined;
  /** In sandbox mode, replaced by the sandbox's own address once it listens. */
  baseUrl: string;
  apiVersion: VerifyNowApiVersion;
  defaultCountryCode: string | undefined;
  defaultFlowType: VerifyNowFlowType;
  otpLength: number;
  timeoutMs: number;
  sandbox: Required<Pick<VerifyNowSandboxModuleOptions, 'port'>> &
    Pick<VerifyNowSandboxModuleOptions, 'code'>;
  /** Requests started per second; 0 means no cap. */
  maxRequestsPerSecond: number;
  maxQueuedRequests: number;
  /** `undefined` when the breaker is off. */
  circuitBreaker: Required<VerifyNowCircuitBreakerOptions> | undefined;
  tokenRetry: Required<VerifyNowTokenRetryOptions>;
  /** `@RequireOtp()` defaults. */
  guard: ResolvedGuardOptions;
  /** Where the ledger and send counters live. */
  store: ResolvedStoreOptions;
  /** Send limits. */
  limits: ResolvedLimitsOptions;
  /** Values that must never appear in a log line or an error. */
  secrets: readonly string[];
}

type OptionKey = keyof VerifyNowEnvOptions;

/** What a parser makes of one value: the converted value, or what is wrong with it. */
type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

interface OptionSpec<T> {
  /** Secrets are never echoed in a message. */
  secret: boolean;
  /** A URL, echoed with whatever precedes an `@` masked, even when it does not parse. */
  url?: true;
  parse(value: unknown): Parsed<T>;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(problem: string): Parsed<T> => ({ ok: false, problem });

function stringOption(pattern: RegExp, expectation: string, secret = false): OptionSpec<string> {
  return {
    secret,
    parse: (value) =>
      typeof value === 'string' && pattern.test(value.trim())
        ? ok(value.trim())
        : fail(expectation),
  };
}

function integerOption(min: number, max: number, expectation: string): OptionSpec<number> {
  return {
    secret: false,
    parse(value) {
      const number =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && /^\d+$/.test(value.trim())
            ? Number(value.trim())
            : NaN;
      return Number.isInteger(number) && number >= min && number <= max
        ? ok(number)
        : fail(expectation);
    },
  };
}

function enumOption<T extends string>(values: readonly T[], expectation: string): OptionSpec<T> {
  return {
    secret: false,
    parse(value) {
      const upper = typeof value === 'string' ? value.trim().toUpperCase() : undefined;
      const match = values.find((candidate) => candidate.toUpperCase() === upper);
      return match !== undefined ? ok(match) : fail(expectation);
    },
  };
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

function parseBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') {
    return value;
  }
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  return undefined;
}

const COUNTRIES = new Set<string>(getCountries());

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const SPECS = {
  customerId: stringOption(
    /^[^\s]{1,128}$/,
    'must be your Message Central account id without spaces, e.g. C-33432A5F49F7404',
  ),
  password: {
    secret: true,
    parse: (value: unknown) =>
      typeof value === 'string' && value.length > 0
        ? ok(value)
        : fail<string>('must be a non-empty string (the account password, in plain text)'),
  },
  key: stringOption(
    /^(?=.{4,})/,
    'must be the account password encoded in Base64 (or set password instead)',
    true,
  ),
  authToken: stringOption(
    /^[^\s]{8,}$/,
    'must be a token of at least 8 characters without spaces',
    true,
  ),
  country: stringOption(
    /^(\+?[1-9]\d{0,3}|[A-Za-z]{2})$/,
    "must be the account's country as a dial code (e.g. 91) or ISO code (e.g. IN)",
  ),
  email: stringOption(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'must be an e-mail address'),
  baseUrl: {
    secret: false,
    url: true,
    parse(value: unknown): Parsed<string> {
      const expectation = `must be an http(s) URL without query string, e.g. ${DEFAULT_BASE_URL}`;
      if (typeof value !== 'string') return fail(expectation);
      try {
        const url = new URL(value.trim());
        if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
          return fail(expectation);
        }
        if (url.username || url.password) {
          return fail(`${expectation}, and without credentials in it`);
        }
        return ok(url.toString().replace(/\/+$/, ''));
      } catch {
        return fail(expectation);
      }
    },
  },
  apiVersion: enumOption<VerifyNowApiVersion>(['v3', 'v2'], "must be 'v3' or 'v2'"),
  defaultCountryCode: {
    secret: false,
    parse(value: unknown): Parsed<string> {
      const match = typeof value === 'string' ? /^\+?([1-9]\d{0,3})$/.exec(value.trim()) : null;
      return match && isKnownDialCode(match[1])
        ? ok(match[1])
        : fail('must be a known dial code, with or without +, e.g. 91');
    },
  },
  defaultFlowType: enumOption<VerifyNowFlowType>(
    VERIFYNOW_FLOW_TYPES,
    `must be one of ${VERIFYNOW_FLOW_TYPES.join(', ')}`,
  ),
  otpLength: integerOption(4, 8, 'must be an integer from 4 to 8'),
  timeoutMs: integerOption(
    1,
    300_000,
    'must be an integer number of milliseconds from 1 to 300000',
  ),
  sandbox: {
    secret: false,
    parse(value: unknown): Parsed<boolean | VerifyNowSandboxModuleOptions> {
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        return ok(value as VerifyNowSandboxModuleOptions);
      }
      const flag = parseBoolean(value);
      return flag === undefined
        ? fail('must be true or false (or, in code, an object of sandbox settings)')
        : ok(flag);
    },
  },
  sandboxCode: stringOption(/^\d{4,8}$/, 'must be 4 to 8 digits', true),
  sandboxPort: integerOption(0, 65_535, 'must be a port number from 0 to 65535'),
  // The URL may hold the Redis password: never echoed.
  redisUrl: stringOption(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL', true),
  maxRequestsPerSecond: integerOption(
    0,
    100_000,
    'must be an integer from 0 (no cap) to 100000 requests per second',
  ),
  allowedCountries: {
    secret: false,
    parse(value: unknown): Parsed<string[]> {
      const list =
        typeof value === 'string'
          ? value.split(',')
          : Array.isArray(value)
            ? (value as unknown[])
            : [];
      const codes = list.map((code) => (typeof code === 'string' ? code.trim().toUpperCase() : ''));
      return codes.length > 0 && codes.every((code) => COUNTRIES.has(code))
        ? ok(codes)
        : fail('must list ISO 3166-1 alpha-2 country codes, e.g. IN,ID');
    },
  },
} satisfies Record<OptionKey, OptionSpec<unknown>>;

type SpecValue<K extends OptionKey> = (typeof SPECS)[K] extends OptionSpec<infer T> ? T : never;

/**
 * Masks the credentials a URL may carry: everything between the scheme and the last
 * `@` (`https://user:secret@host` → `https://***@host`).
 */
function maskUserinfo(text: string): string {
  const at = text.lastIndexOf('@');
  if (at < 0) {
    return text;
  }
  const scheme = /^[a-z][a-z\d+.-]*:\/\//i.exec(text)?.[0] ?? '';
  return `${scheme}***${text.slice(at)}`;
}

/**
 * A short picture of a rejected value; objects are named, never stringified (their
 * toString may be anything), and URLs never show their credentials.
 */
function describeValue(value: unknown, isUrl = false): string {
  let text: string;
  if (typeof value === 'string') {
    text = JSON.stringify(isUrl || value.includes('://') ? maskUserinfo(value) : value);
  } else if (
    value === null ||
    ['number', 'boolean', 'bigint', 'undefined'].includes(typeof value)
  ) {
    text = String(value);
  } else {
    text = Array.isArray(value) ? 'an array' : `a value of type ${typeof value}`;
  }
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/** Reads, checks and converts options one at a time, collecting every problem. */
class OptionReader {
  readonly problems: string[] = [];

  constructor(
    private readonly code: Partial<Record<OptionKey, unknown>>,
    private readonly env: VerifyNowEnvOptions,
  ) {}

  /** The option's value: from code when given there, else from its environment variable. */
  get<K extends OptionKey>(option: K): SpecValue<K> | undefined {
    const fromCode = this.code[option];
    const raw = fromCode !== undefined && fromCode !== null ? fromCode : this.env[option];
    if (raw === undefined) {
      return undefined;
    }
    const spec = SPECS[option] as OptionSpec<SpecValue<K>>;
    const parsed = spec.parse(raw);
    if (parsed.ok) {
      return parsed.value;
    }
    const got = spec.secret ? '' : `; got ${describeValue(raw, spec.url)}`;
    this.problems.push(`${optionLabel(option)} ${parsed.problem}${got}`);
    return undefined;
  }

  /** Whether code or the environment sets the option, to a valid value or not. */
  given(option: OptionKey): boolean {
    const fromCode = this.code[option];
    return (fromCode !== undefined && fromCode !== null) || this.env[option] !== undefined;
  }

  problem(text: string): void {
    this.problems.push(text);
  }
}

function flattenCodeOptions(options: VerifyNowModuleOptions): Partial<Record<OptionKey, unknown>> {
  const { sandbox, store, limits, ...rest } = options as VerifyNowModuleOptions &
    Record<string, unknown>;
  // Only the nested options fill the flat names: a stray top-level `sandboxCode`
  // is an unknown option, not a setting.
  const flat: Partial<Record<OptionKey, unknown>> = {
    ...rest,
    sandboxCode: undefined,
    sandboxPort: undefined,
    redisUrl: store?.redis?.url,
    allowedCountries: limits ? limits.allowedCountries : undefined,
  };
  if (sandbox !== undefined) {
    flat.sandbox = sandbox;
    if (sandbox !== null && typeof sandbox === 'object') {
      flat.sandbox = true;
      flat.sandboxCode = sandbox.code;
      flat.sandboxPort = sandbox.port;
    }
  }
  return flat;
}

/** The password inside a Redis URL, which must not leak on its own either. */
function redisPassword(url: string | undefined): string | undefined {
  try {
    return url === undefined ? undefined : decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

function encodeBase64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** The live credentials the given values make, or why they make none. */
function liveCredentials(
  given: { customerId?: string; password?: string; key?: string; authToken?: string },
  reader: OptionReader,
): VerifyNowCredentials | undefined {
  const { customerId, password, key, authToken } = given;
  if (password !== undefined && key !== undefined) {
    reader.problem(
      `set only one of ${optionLabel('password')} or ${optionLabel('key')}: key is the Base64 of password`,
    );
  } else if (authToken !== undefined && (password !== undefined || key !== undefined)) {
    reader.problem(
      `set either ${optionLabel('authToken')} or a password/key, not both: a pre-issued token is never refreshed`,
    );
  } else if (authToken !== undefined) {
    return { type: 'token', customerId, authToken };
  } else if (password !== undefined || key !== undefined) {
    if (customerId !== undefined) {
      return { type: 'key', customerId, key: key ?? encodeBase64(password as string) };
    }
    reader.problem(`${optionLabel('customerId')} is required with a password or key`);
  } else if (customerId !== undefined) {
    reader.problem(
      `${optionLabel('password')} or ${optionLabel('key')} is required with ${optionLabel('customerId')}`,
    );
  }
  // Otherwise every credential given was invalid, and is reported already.
  return undefined;
}

/**
 * Checks the module's options and fills in defaults. Each option comes from code
 * when given there, else from its `VERIFYNOW_*` environment variable.
 *
 * @throws VerifyNowConfigurationError naming every bad or missing option with its
 *   environment variable; secret values are never repeated.
 * @internal
 */
export function resolveVerifyNowOptions(
  options: VerifyNowModuleOptions = {},
  env: EnvironmentSource = process.env,
): ResolvedVerifyNowOptions {
  const reader = new OptionReader(flattenCodeOptions(options ?? {}), readVerifyNowEnv(env));
  unknownOptionProblems(options).forEach((problem) => reader.problem(problem));
  const customerId = reader.get('customerId');
  const password = reader.get('password');
  let key = reader.get('key');
  const authToken = reader.get('authToken');
  const sandboxFlag = reader.get('sandbox');
  const sandboxCode = reader.get('sandboxCode');
  const sandboxPort = reader.get('sandboxPort');

  if (key !== undefined && !BASE64.test(key)) {
    reader.problem(
      `${optionLabel('key')} must be the account password encoded in Base64 (or set password instead); the value given is not Base64`,
    );
    key = undefined;
  }

  const given = CREDENTIAL_OPTIONS.filter((option) => reader.given(option));
  // A sandbox setting that is not a boolean is reported already; deciding on it would only add noise.
  const { mode, reason } =
    sandboxFlag === undefined && reader.given('sandbox')
      ? { mode: 'live' as const, reason: undefined }
      : decideSandboxMode(
          sandboxFlag === undefined ? undefined : sandboxFlag !== false,
          given,
          env.NODE_ENV,
          reader.problems,
        );
  const live =
    given.length > 0
      ? liveCredentials({ customerId, password, key, authToken }, reader)
      : undefined;
  const credentials: VerifyNowCredentials | undefined =
    mode === 'sandbox'
      ? {
          type: 'key',
          customerId: SANDBOX_DEFAULT_CREDENTIALS.customerId,
          key: encodeBase64(SANDBOX_DEFAULT_CREDENTIALS.password),
        }
      : live;

  const apiVersion = reader.get('apiVersion') ?? 'v3';
  if (
    apiVersion === 'v2' &&
    credentials?.type === 'token' &&
    credentials.customerId === undefined
  ) {
    reader.problem(
      `${optionLabel('customerId')} is required with apiVersion v2: its paths carry the customer id`,
    );
  }

  const redisUrl = reader.get('redisUrl');
  const state = resolveStateOptions(
    options ?? {},
    { redisUrl, allowedCountries: reader.get('allowedCountries') },
    reader.problems,
  );

  const resilience = resolveResilienceOptions(options ?? {}, reader.problems);

  const resolved = {
    ...state,
    ...resilience,
    maxRequestsPerSecond: reader.get('maxRequestsPerSecond') ?? 50,
    country: reader.get('country')?.replace(/^\+/, ''),
    email: reader.get('email'),
    baseUrl: reader.get('baseUrl') ?? DEFAULT_BASE_URL,
    apiVersion,
    defaultCountryCode: reader.get('defaultCountryCode'),
    defaultFlowType: reader.get('defaultFlowType') ?? 'SMS',
    otpLength: reader.get('otpLength') ?? DEFAULT_OTP_LENGTH,
    timeoutMs: reader.get('timeoutMs') ?? DEFAULT_TIMEOUT_MS,
  };

  if (reader.problems.length > 0 || credentials === undefined) {
    throw new VerifyNowConfigurationError(reader.problems);
  }

  const secrets = [password, key, authToken, sandboxCode, redisUrl, redisPassword(redisUrl)].filter(
    (value): value is string => value !== undefined,
  );
  if (credentials.type === 'key' && !secrets.includes(credentials.key)) {
    secrets.push(credentials.key);
  }

  return {
    ...resolved,
    mode,
    sandboxReason: reason,
    credentials,
    sandbox: { port: sandboxPort ?? 0, code: sandboxCode },
    secrets,
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
  const reader = new OptionReader({}, readVerifyNowEnv(env));
  const sandboxFlag = reader.get('sandbox');
  const sandboxCode = reader.get('sandboxCode');
  const sandboxPort = reader.get('sandboxPort');
  const redisUrl = reader.get('redisUrl');
  const allowedCountries = reader.get('allowedCountries');
  const options: VerifyNowModuleOptions = {
    customerId: reader.get('customerId'),
    password: reader.get('password'),
    key: reader.get('key'),
    authToken: reader.get('authToken'),
    country: reader.get('country'),
    email: reader.get('email'),
    baseUrl: reader.get('baseUrl'),
    apiVersion: reader.get('apiVersion'),
    defaultCountryCode: reader.get('defaultCountryCode'),
    defaultFlowType: reader.get('defaultFlowType'),
    otpLength: reader.get('otpLength'),
    timeoutMs: reader.get('timeoutMs'),
    maxRequestsPerSecond: reader.get('maxRequestsPerSecond'),
    // The sandbox's code and port apply only when it runs; the resolver reads them
    // from the environment itself, so they do not switch the sandbox on here.
    sandbox:
      sandboxFlag === true && (sandboxCode !== undefined || sandboxPort !== undefined)
        ? { code: sandboxCode, port: sandboxPort }
        : sandboxFlag,
    store: redisUrl === undefined ? undefined : { redis: { url: redisUrl } },
    limits: allowedCountries === undefined ? undefined : { allowedCountries },
  };
  if (reader.problems.length > 0) {
    throw new VerifyNowConfigurationError(reader.problems);
  }
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
