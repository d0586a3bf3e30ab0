import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedVerifyNowOptions } from '../config/verifynow-options.resolver';
import type { ProviderHealth } from '../providers/otp-provider.interface';
import { OtpProviderChain } from '../providers/provider.chain';
import type { CircuitBreakerState } from '../resilience/upstream-circuit.breaker';
import { VERIFYNOW_RESOLVED_OPTIONS } from '../verifynow.internal-constants';

/** How one upstream is doing. */
export interface VerifyNowProviderHealth {
  status: 'up' | 'down';
  breaker: CircuitBreakerState;
  /**
   * Whether it can authenticate now: a token can be had (`'pre-issued'` with
   * VerifyNow's `authToken` option), or `'not checked'` for keys sent with every call.
   */
  token: 'available' | 'pre-issued' | 'unavailable' | 'not checked';
  /** Why it is down, e.g. `'AUTHENTICATION_FAILED'`. */
  reason?: string;
}

/**
 * What `VerifyNowHealthIndicator` reports under its key: up while any provider
 * can send; the first choice's details at the top, every provider's under `providers`.
 */
export interface VerifyNowHealthDetails extends VerifyNowProviderHealth {
  /** `'sandbox'` when the embedded sandbox stands in for the upstreams. */
  mode: 'live' | 'sandbox';
  /** Each configured provider, by name, in order of preference. */
  providers: Record<string, VerifyNowProviderHealth>;
}

type HealthCheckErrorClass = new (message: string, causes: unknown) => Error;

/**
 * A `@nestjs/terminus` health indicator: up when the circuit breaker is not open
 * and a token can be had (cached, or fetched now). `@nestjs/terminus` is an
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
  ) {}

  /**
   * @returns `{ [key]: VerifyNowHealthDetails }`
   * @throws HealthCheckError (terminus 10 and 11) when down.
   */
  async isHealthy<Key extends string = 'verifynow'>(
    key: Key = 'verifynow' as Key,
  ): Promise<Record<Key, VerifyNowHealthDetails>> {
    const each = await Promise.all(
      this.providers.inOrder.map(
        async (provider) => [provider.name, await provider.health()] as const,
      ),
    );
    const providers = Object.fromEntries(each.map(([name, health]) => [name, shown(health)]));
    const first = providers[this.providers.primary.name];
    const status = each.some(([, health]) => health.status === 'up') ? 'up' : 'down';
    const details: VerifyNowHealthDetails = {
      ...first,
      status,
      mode: this.options.mode,
      providers,
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

function shown({ status, breaker, token, reason }: ProviderHealth): VerifyNowProviderHealth {
  return reason === undefined ? { status, breaker, token } : { status, breaker, token, reason };
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
