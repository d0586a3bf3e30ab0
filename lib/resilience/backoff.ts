import {
  VerifyNowCircuitOpenException,
  VerifyNowRateLimitException,
  VerifyNowUnavailableException,
} from '../http/upstream.exceptions';

/** Backoff settings: see `tokenRetry`. @internal */
export interface BackoffSettings {
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * How long to wait before retry number `attempt + 1` of an idempotent request
 * that failed with `error`, or `undefined` when it must not be retried: only a
 * passing failure (network, deadline, 5xx, non-JSON, 429) is retried. A 429's
 * `Retry-After` is honoured as given, unless it asks for longer than
 * `maxDelayMs`; otherwise the delay doubles from `baseDelayMs`, capped at
 * `maxDelayMs`, with "equal jitter" (half fixed, half random) so that many
 * clients do not retry in step.
 *
 * @internal
 */
export function retryDelayMs(
  error: unknown,
  attempt: number,
  settings: BackoffSettings,
  random: () => number = Math.random,
): number | undefined {
  if (error instanceof VerifyNowRateLimitException) {
    if (error.retryAfterSeconds !== undefined) {
      const asked = error.retryAfterSeconds * 1000;
      return asked <= settings.maxDelayMs ? asked : undefined;
    }
  } else if (
    !(error instanceof VerifyNowUnavailableException) ||
    error instanceof VerifyNowCircuitOpenException
  ) {
    return undefined;
  }
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
