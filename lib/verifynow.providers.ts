import { Logger, Provider } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { RedisThrottlerStorage } from './limits/redis-throttler.storage';
import { rateCapFor } from './resilience/rate-cap.factory';
import { upstreamCircuitBreaker } from './resilience/upstream.policy';
import { VerifyNowRedisConnection } from './redis/verifynow-redis.connection';
import { InMemoryVerifyNowStore } from './ledger/in-memory-verifynow.store';
import { RedisVerifyNowStore } from './ledger/redis-verifynow.store';
import { VerifyNowStore } from './ledger/verifynow-store.interface';
import {
  ResolvedVerifyNowOptions,
  resolveVerifyNowOptions,
} from './config/verifynow-options.resolver';
import { SANDBOX_DEFAULT_CREDENTIALS } from './providers/verifynow/verifynow.options';
import { VERIHUBS_SANDBOX_CREDENTIALS } from './providers/verihubs/verihubs.options';
import { createVerifyNowHttpService } from './http/upstream-http.client';
import { VerifyNowModuleOptions } from './interfaces/verifynow-module-options.interface';
import { VerifyNowSandbox } from './sandbox/verifynow.sandbox';
import { VERIFYNOW_HTTP_SERVICE, VERIFYNOW_MODULE_OPTIONS } from './verifynow.constants';
import {
  SYSTEM_CLOCK,
  VERIFYNOW_CIRCUIT_BREAKER,
  VERIFYNOW_CLOCK,
  VERIFYNOW_RATE_LIMITER,
  VERIFYNOW_REDIS,
  VERIFYNOW_RESOLVED_OPTIONS,
  VERIFYNOW_THROTTLER_STORAGE,
  VerifyNowClock,
} from './verifynow.internal-constants';

const logger = new Logger('VerifyNowModule');

/** Checks the options once, at boot; a bad value stops the application. @internal */
export const resolvedOptionsProvider: Provider = {
  provide: VERIFYNOW_RESOLVED_OPTIONS,
  useFactory: (options: VerifyNowModuleOptions | undefined) =>
    resolveVerifyNowOptions(options ?? {}, process.env),
  inject: [VERIFYNOW_MODULE_OPTIONS],
};

/**
 * The embedded sandbox, started on loopback in sandbox mode; `null` otherwise.
 * Inject `VerifyNowSandbox` (with `@Optional()`) to read the codes it sends.
 * It accepts only its own credentials: the resolver allows no others with it,
 * and never lets it run when `NODE_ENV` is `production`.
 *
 * @internal
 */
export const sandboxProvider: Provider = {
  provide: VerifyNowSandbox,
  useFactory: async (options: ResolvedVerifyNowOptions): Promise<VerifyNowSandbox | null> => {
    if (options.mode !== 'sandbox') {
      return null;
    }
    const instance = await VerifyNowSandbox.start({
      port: options.sandbox.port,
      code: options.sandbox.code,
      customerId: SANDBOX_DEFAULT_CREDENTIALS.customerId,
      password: SANDBOX_DEFAULT_CREDENTIALS.password,
      verihubs: { ...VERIHUBS_SANDBOX_CREDENTIALS },
    });
    // The application's own server keeps the process alive, not its sandbox: a
    // script or an application whose start failed must still be able to exit.
    instance.unref();
    const why =
      options.sandboxReason === 'no-credentials'
        ? 'no credentials are configured (NODE_ENV is development or test)'
        : 'sandbox mode is on';
    logger.warn(
      `VerifyNow runs against its embedded sandbox at ${instance.url} because ${why}: no message is really sent.`,
    );
    return instance;
  },
  inject: [VERIFYNOW_RESOLVED_OPTIONS],
};

/** The module's own HttpService, pointed at the upstream or at the sandbox. @internal */
export const httpServiceProvider: Provider = {
  provide: VERIFYNOW_HTTP_SERVICE,
  useFactory: (options: ResolvedVerifyNowOptions, sandbox: VerifyNowSandbox | null) =>
    createVerifyNowHttpService(sandbox?.url ?? options.baseUrl),
  inject: [VERIFYNOW_RESOLVED_OPTIONS, VerifyNowSandbox],
};

/** @internal */
export const clockProvider: Provider = { provide: VERIFYNOW_CLOCK, useValue: SYSTEM_CLOCK };

/** The Redis connection when `store.redis` is set; `null` otherwise. @internal */
export const redisProvider: Provider = {
  provide: VERIFYNOW_REDIS,
  useFactory: (options: ResolvedVerifyNowOptions) => VerifyNowRedisConnection.fromOptions(options),
  inject: [VERIFYNOW_RESOLVED_OPTIONS],
};

/** The verification ledger: the application's own, Redis, or memory. @internal */
export const storeProvider: Provider = {
  provide: VerifyNowStore,
  useFactory: (
    options: ResolvedVerifyNowOptions,
    redis: VerifyNowRedisConnection | null,
    clock: VerifyNowClock,
  ): VerifyNowStore =>
    options.store.ledger ??
    (redis
      ? new RedisVerifyNowStore(redis.client, options.store.redis?.keyPrefix)
      : new InMemoryVerifyNowStore(clock)),
  inject: [VERIFYNOW_RESOLVED_OPTIONS, VERIFYNOW_REDIS, VERIFYNOW_CLOCK],
};

/** Where the send limits count: the application's own storage, Redis, or memory. @internal */
export const throttlerStorageProvider: Provider = {
  provide: VERIFYNOW_THROTTLER_STORAGE,
  useFactory: (
    options: ResolvedVerifyNowOptions,
    redis: VerifyNowRedisConnection | null,
  ): ThrottlerStorage =>
    options.limits.storage ??
    (redis
      ? new RedisThrottlerStorage(redis.client, options.store.redis?.keyPrefix)
      : new ThrottlerStorageService()),
  inject: [VERIFYNOW_RESOLVED_OPTIONS, VERIFYNOW_REDIS],
};

/** The circuit breaker in front of the upstream, as its policy makes it. @internal */
export const circuitBreakerProvider: Provider = {
  provide: VERIFYNOW_CIRCUIT_BREAKER,
  useFactory: (options: ResolvedVerifyNowOptions) => upstreamCircuitBreaker(options.circuitBreaker),
  inject: [VERIFYNOW_RESOLVED_OPTIONS],
};

/** VerifyNow's outbound rate cap (see `rateCapFor`); Nest closes it at shutdown. @internal */
export const rateLimiterProvider: Provider = {
  provide: VERIFYNOW_RATE_LIMITER,
  useFactory: (options: ResolvedVerifyNowOptions, redis: VerifyNowRedisConnection | null) =>
    rateCapFor('verifynow', options.maxRequestsPerSecond, options, redis),
  inject: [VERIFYNOW_RESOLVED_OPTIONS, VERIFYNOW_REDIS],
};
