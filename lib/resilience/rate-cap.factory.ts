import type { ResolvedVerifyNowOptions } from '../config/verifynow-options.resolver';
import type { OtpProviderName } from '../interfaces/verifynow-module-options.interface';
import type { VerifyNowRedisConnection } from '../redis/verifynow-redis.connection';
import { FleetRateLimiter } from './fleet-rate.limiter';
import { OutboundRateLimiter } from './outbound-rate.limiter';
import type { RateCap } from './rate-cap';

/**
 * An upstream's outbound rate cap, or `null` when `perSecond` is 0: with the
 * Redis store, the fleet's (every instance on that Redis and key prefix counts
 * together, each upstream apart); without it, this instance's.
 *
 * @internal
 */
export function rateCapFor(
  upstream: OtpProviderName,
  perSecond: number,
  options: ResolvedVerifyNowOptions,
  redis: VerifyNowRedisConnection | null,
): RateCap | null {
  if (perSecond <= 0) {
    return null;
  }
  const maxQueued = options.maxQueuedRequests;
  return redis
    ? new FleetRateLimiter(redis.client, {
        upstream,
        keyPrefix: options.store.redis?.keyPrefix,
        perSecond,
        maxQueued,
        answerTimeoutMs: options.timeoutMs,
      })
    : new OutboundRateLimiter(perSecond, maxQueued);
}
