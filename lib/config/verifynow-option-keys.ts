import type { VerifyNowModuleOptions } from '../interfaces/verifynow-module-options.interface';

/** The known keys below one option: `true` for a leaf, or the keys of its object form. */
type KeyTree = { readonly [key: string]: KeyTree | true };

/** The object form of an option's type, if it has one (functions and arrays are leaves). */
type ObjectForm<T> = Exclude<
  NonNullable<T>,
  boolean | string | number | readonly unknown[] | ((...args: never[]) => unknown)
>;

/** Every key of `T`, each a leaf or the keys of its object form; no other key. */
type KnownKeys<T> = {
  readonly [K in keyof Required<T>]-?: true | KnownKeys<ObjectForm<Required<T>[K]>>;
};

/**
 * Every option key, at every depth, as `VerifyNowModuleOptions` declares them.
 * Values that are the application's own objects (a Redis client, a ledger, a
 * throttler storage, a function) are leaves: never looked into.
 */
const KNOWN_OPTIONS = {
  customerId: true,
  password: true,
  key: true,
  authToken: true,
  country: true,
  email: true,
  baseUrl: true,
  apiVersion: true,
  defaultCountryCode: true,
  defaultFlowType: true,
  otpLength: true,
  timeoutMs: true,
  sandbox: { code: true, port: true },
  maxRequestsPerSecond: true,
  maxQueuedRequests: true,
  circuitBreaker: { consecutiveFailures: true, halfOpenAfterMs: true },
  tokenRetry: { retries: true, baseDelayMs: true, maxDelayMs: true },
  guard: {
    resolvePhoneNumber: true,
    autoSend: true,
    maxAgeSeconds: true,
    maxFailedAttempts: true,
    flowType: true,
    headers: { verificationId: true, code: true },
  },
  store: {
    redis: { url: true, client: true, keyPrefix: true },
    ledger: true,
    ledgerTtlSeconds: true,
  },
  limits: {
    perPhoneNumber: { limit: true, ttlSeconds: true },
    perClientIp: { limit: true, ttlSeconds: true },
    allowedCountries: true,
    storage: true,
  },
} as const satisfies KnownKeys<VerifyNowModuleOptions> & KeyTree;

/**
 * One problem per key the options have and `VerifyNowModuleOptions` does not, at
 * any depth, with the closest known sibling when one is close:
 * `unknown option guard.maxFailedAttempt (did you mean guard.maxFailedAttempts?)`.
 *
 * @internal
 */
export function unknownOptionProblems(options: unknown): string[] {
  const problems: string[] = [];
  collectUnknown(options, KNOWN_OPTIONS, '', problems);
  return problems;
}

function collectUnknown(value: unknown, known: KeyTree, path: string, problems: string[]): void {
  // Anything but a plain object is the type checks' business, not this one's.
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    const node = Object.hasOwn(known, key) ? known[key] : undefined;
    if (node === undefined) {
      const guess = closestKey(key, Object.keys(known));
      const hint = guess === undefined ? '' : ` (did you mean ${path}${guess}?)`;
      problems.push(`unknown option ${path}${printableKey(key)}${hint}`);
    } else if (node !== true) {
      collectUnknown(child, node, `${path}${key}.`, problems);
    }
  }
}

/** A key as it was typed, quoted (and cut short) when it is not a plain name. */
function printableKey(key: string): string {
  if (/^[A-Za-z_$][\w$]{0,63}$/.test(key)) {
    return key;
  }
  return JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
}

/**
 * The known key the typo most likely meant: the same but for case, a few edits
 * away (a third of its length, at most 3), or one that starts with it.
 */
function closestKey(typo: string, keys: readonly string[]): string | undefined {
  const wrong = typo.toLowerCase();
  const tolerance = Math.max(1, Math.min(3, Math.floor(wrong.length / 3)));
  let best: string | undefined;
  let bestScore = Infinity;
  for (const key of keys) {
    const right = key.toLowerCase();
    const distance = editDistance(wrong, right);
    const score =
      distance <= tolerance
        ? distance
        : wrong.length >= 3 && right.startsWith(wrong)
          ? tolerance + 1
          : Infinity;
    if (score < bestScore) {
      best = key;
      bestScore = score;
    }
  }
  return best;
}

/** Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
      }
    }
  }
  return rows[a.length][b.length];
}
