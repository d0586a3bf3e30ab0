import type { ResolvedVerifyNowOptions } from '../config/verifynow-options.resolver';
import type { VerificationLedger } from '../ledger/verification.ledger';
import type { VerifyNowRedisConnection } from '../redis/verifynow-redis.connection';
import type { RateCap } from '../resilience/rate-cap';

/** How the verification ledger's store is doing. */
export interface VerifyNowStoreHealth {
  /** Where the ledger and the send counters live. */
  kind: 'memory' | 'redis' | 'custom';
  /** Down when it cannot be written: every send and validation is then refused. */
  status: 'up' | 'down';
  /**
   * Redis's `maxmemory-policy`, when the server says (managed servers may not):
   * only `noeviction` keeps the ledger and the counters under memory pressure.
   */
  evictionPolicy?: string;
  /** Why it is down: `'UNREACHABLE'`. */
  reason?: string;
}

/** How an upstream's outbound rate cap is doing. */
export interface VerifyNowRateCapHealth {
  /** `'fleet'`: shared in Redis by every instance; `'instance'`: this process's; `'off'`. */
  scope: 'fleet' | 'instance' | 'off';
  /** Most request starts in any one-second window; 0 when off. */
  perSecond: number;
  /** Requests of this instance waiting for a slot now. */
  waiting: number;
  /** Down when a shared cap's Redis does not answer: requests are then refused. */
  status: 'up' | 'down';
}

/** The store's health: writable (the ledger's own check), and Redis's eviction policy. @internal */
export async function storeHealth(
  ledger: VerificationLedger,
  redis: VerifyNowRedisConnection | null,
  options: ResolvedVerifyNowOptions,
): Promise<VerifyNowStoreHealth> {
  const kind = options.store.ledger ? 'custom' : redis ? 'redis' : 'memory';
  const [writable, policy] = await Promise.all([
    ledger.ensureWritable().then(
      () => true,
      () => false,
    ),
    redis?.evictionPolicy().catch(() => undefined),
  ]);
  return {
    kind,
    status: writable ? 'up' : 'down',
    ...(policy === undefined ? {} : { evictionPolicy: policy }),
    ...(writable ? {} : { reason: 'UNREACHABLE' }),
  };
}

/** A rate cap's health: its scope, rate and queue, and whether its Redis answers. @internal */
export async function rateCapHealth(rateCap: RateCap | null): Promise<VerifyNowRateCapHealth> {
  if (rateCap === null) {
    return { scope: 'off', perSecond: 0, waiting: 0, status: 'up' };
  }
  const reachable = (await rateCap.check?.()) ?? 'reachable';
  return { ...rateCap.describe(), status: reachable === 'reachable' ? 'up' : 'down' };
}
