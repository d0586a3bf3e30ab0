import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedVerifyNowOptions } from '../config/verifynow-options.resolver';
import { VerificationLedger } from '../ledger/verification.ledger';
import type { OtpProvider, ProviderHealth } from '../providers/otp-provider.interface';
import { OtpProviderChain } from '../providers/provider.chain';
import type { VerifyNowRedisConnection } from '../redis/verifynow-redis.connection';
import type { CircuitBreakerState } from '../resilience/upstream-circuit.breaker';
import { VERIFYNOW_REDIS, VERIFYNOW_RESOLVED_OPTIONS } from '../verifynow.internal-constants';
import {
  VerifyNowRateCapHealth,
  VerifyNowStoreHealth,
  rateCapHealth,
  storeHealth,
} from './store.health';

/** How one upstream is doing. */
export interface VerifyNowProviderHealth {
  status: 'up' | 'down';
  breaker: CircuitBreakerState;
  /**
   * Whether it can authenticate now: a token can be had (`'pre-issued'` with
   * VerifyNow's `authToken` option), or `'not checked'` for keys sent with every call.
   */
  token: 'available' | 'pre-issued' | 'unavailable' | 'not checked';
  /** Why it is down, e.g. `'AUTHENTICATION_FAILED'`, `'RATE_CAP_UNREACHABLE'`. */
  reason?: string;
  /** Its outbound rate cap: the fleet's (Redis), this instance's, or off. */
  rateCap: VerifyNowRateCapHealth;
}

/**
 * What `VerifyNowHealthIndicator` reports under its key: up while the store can
 * be written and any provider can send; the first choice's details at the top,
 * every provider's under `providers`, the store's under `store`.
 */
export interface VerifyNowHealthDetails extends VerifyNowProviderHealth {
  /** `'sandbox'` when the embedded sandbox stands in for the upstreams. */
  mode: 'live' | 'sandbox';
  /** Each configured provider, by name, in order of preference. */
  providers: Record<string, VerifyNowProviderHealth>;
  /** Where the verification ledger and the send counters live. */
  store: VerifyNowStoreHealth;
}

type HealthCheckErrorClass = new (message: string, causes: unknown) => Error;

/**
 * A `@nestjs/terminus` health indicator: up when the store (the ledger: memory,
 * Redis or yours) can be written and a provider can send: its circuit breaker
 * is not open, a token can be had (cached, or fetched now), and its rate cap's
 * Redis answers when the cap is the fleet's. `@nestjs/terminus` is an
 * optional peer, loaded only to report "down" the way the installed version
 * expects (thrown `HealthCheckError` up to v11, a returned result from v12).
 *
 * @example
 * @Get('health')
 * @HealthCheck()
 * check() {
 *   return this.health.check([() => this.verifyNow.isHealthy('verifynow')]);
 * }
 */
@Injectable()
export class VerifyNowHealthIndicator {
  /** @internal Nest builds it. */
  constructor(
    private readonly providers: OtpProviderChain,
    @Inject(VERIFYNOW_RESOLVED_OPTIONS) private readonly options: ResolvedVerifyNowOptions,
    private readonly ledger: VerificationLedger,
    @Inject(VERIFYNOW_REDIS) private readonly redis: VerifyNowRedisConnection | null,
  ) {}

  /**
   * @returns `{ [key]: VerifyNowHealthDetails }`
   * @throws HealthCheckError (terminus 10 and 11) when down.
   */
  async isHealthy<Key extends string = 'verifynow'>(
    key: Key = 'verifynow' as Key,
  ): Promise<Record<Key, VerifyNowHealthDetails>> {
    const [store, ...each] = await Promise.all([
      storeHealth(this.ledger, this.redis, this.options),
      ...this.providers.inOrder.map(async (provider) => [provider.name, await health(provider)]),
    ] as const);
    const providers = Object.fromEntries(each as [string, VerifyNowProviderHealth][]);
    const first = providers[this.providers.primary.name];
    const sending = Object.values(providers).some((provider) => provider.status === 'up');
    const details: VerifyNowHealthDetails = {
      ...first,
      status: sending && store.status === 'up' ? 'up' : 'down',
      mode: this.options.mode,
      providers,
      store,
    };
    const result = { [key]: details } as Record<Key, VerifyNowHealthDetails>;
    if (details.status === 'down') {
      const HealthCheckError = loadHealthCheckError();
      if (HealthCheckError !== undefined) {
        throw new HealthCheckError('VerifyNow is unavailable', result);
      }
    }
    return result;
  }
}

/** One provider's health, its rate cap's included: a shared cap out of reach stops its sends. */
async function health(provider: OtpProvider): Promise<VerifyNowProviderHealth> {
  const [own, rateCap] = await Promise.all([
    provider.health(),
    rateCapHealth(provider.upstream()?.rateCap ?? null),
  ]);
  const { status, breaker, token, reason }: ProviderHealth = own;
  const down = status === 'down' || rateCap.status === 'down';
  const why = reason ?? (rateCap.status === 'down' ? 'RATE_CAP_UNREACHABLE' : undefined);
  return {
    status: down ? 'down' : 'up',
    breaker,
    token,
    ...(why === undefined ? {} : { reason: why }),
    rateCap,
  };
}

function loadHealthCheckError(): HealthCheckErrorClass | undefined {
  let terminus: { HealthCheckError?: HealthCheckErrorClass };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    terminus = require('@nestjs/terminus') as typeof terminus;
  } catch {
    throw new Error(
      'VerifyNowHealthIndicator reports to @nestjs/terminus, which is not installed: npm install @nestjs/terminus',
    );
  }
  return terminus.HealthCheckError;
}
