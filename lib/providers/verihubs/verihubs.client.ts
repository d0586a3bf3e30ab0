import { Provider } from '@nestjs/common';
import type { ResolvedVerifyNowOptions } from '../../config/verifynow-options.resolver';
import { UpstreamHttpClient, createVerifyNowHttpService } from '../../http/upstream-http.client';
import type { VerifyNowRedisConnection } from '../../redis/verifynow-redis.connection';
import { rateCapFor } from '../../resilience/rate-cap.factory';
import { upstreamCircuitBreaker } from '../../resilience/upstream.policy';
import { VerifyNowSandbox } from '../../sandbox/verifynow.sandbox';
import { VERIFYNOW_REDIS, VERIFYNOW_RESOLVED_OPTIONS } from '../../verifynow.internal-constants';

/** Injection token of the HTTP client towards Verihubs. @internal */
export const VERIHUBS_HTTP_CLIENT = Symbol('VERIFYNOW:VERIHUBS_HTTP_CLIENT');

/**
 * Verihubs' own HTTP client: its address (the embedded sandbox's in sandbox
 * mode), and a resilience policy of its own, with its own breaker and rate cap,
 * so that one upstream's trouble never slows or opens the other's.
 * `null` when Verihubs is not configured.
 *
 * @internal
 */
export const verihubsClientProvider: Provider = {
  provide: VERIHUBS_HTTP_CLIENT,
  useFactory: (
    options: ResolvedVerifyNowOptions,
    sandbox: VerifyNowSandbox | null,
    redis: VerifyNowRedisConnection | null,
  ): UpstreamHttpClient | null => {
    const settings = options.verihubs;
    if (settings === undefined) {
      return null;
    }
    return new UpstreamHttpClient(
      createVerifyNowHttpService(sandbox?.url ?? settings.baseUrl),
      options,
      upstreamCircuitBreaker(options.circuitBreaker),
      rateCapFor('verihubs', settings.maxRequestsPerSecond, options, redis),
    );
  },
  inject: [VERIFYNOW_RESOLVED_OPTIONS, VerifyNowSandbox, VERIFYNOW_REDIS],
};
