import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedVerifyNowOptions } from '../config/verifynow-options.resolver';
import { OTP_PROVIDER } from '../providers/otp-provider.interface';
import type { OtpProvider } from '../providers/otp-provider.interface';
import type { CircuitBreakerState } from '../resilience/upstream-circuit.breaker';
import { VERIFYNOW_RESOLVED_OPTIONS } from '../verifynow.internal-constants';

/** What `VerifyNowHealthIndicator` reports under its key. */
export interface VerifyNowHealthDetails {
  status: 'up' | 'down';
  /** `'sandbox'` when the embedded sandbox stands in for the upstream. */
  mode: 'live' | 'sandbox';
  breaker: CircuitBreakerState;
  /** Whether a token can be had (`'pre-issued'` with the `authToken` option). */
  token: 'available' | 'pre-issued' | 'unavailable' | 'not checked';
  /** Why it is down, e.g. `'AUTHENTICATION_FAILED'`. */
  reason?: string;
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
    @Inject(OTP_PROVIDER) private readonly provider: OtpProvider,
    @Inject(VERIFYNOW_RESOLVED_OPTIONS) private readonly options: ResolvedVerifyNowOptions,
  ) {}

  /**
   * @returns `{ [key]: VerifyNowHealthDetails }`
   * @throws HealthCheckError (terminus 10 and 11) when down.
   */
  async isHealthy<Key extends string = 'verifynow'>(
    key: Key = 'verifynow' as Key,
  ): Promise<Record<Key, VerifyNowHealthDetails>> {
    const { status, breaker, token, reason } = await this.provider.health();
    const details: VerifyNowHealthDetails = { status, mode: this.options.mode, breaker, token };
    if (reason !== undefined) {
      details.reason = reason;
    }
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
