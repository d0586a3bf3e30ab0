import { VerifyNowConfigurationError } from '../errors/verifynow-configuration.error';
import type { VerifyNowModuleOptions } from '../interfaces/verifynow-module-options.interface';
import { resolveVerifyNowOptions } from './verifynow-options.resolver';

/** The problems about unknown keys that the options raise, every other problem left out. */
function unknownOptionProblems(options: unknown): string[] {
  try {
    resolveVerifyNowOptions(options as VerifyNowModuleOptions, { NODE_ENV: 'test' });
    return [];
  } catch (error) {
    if (!(error instanceof VerifyNowConfigurationError)) throw error;
    return error.problems.filter((problem) => problem.startsWith('unknown option'));
  }
}

describe('unknown option keys', () => {
  it.each([
    [{ gaurd: {} }, 'unknown option gaurd (did you mean guard?)'],
    [
      { guard: { maxFailedAttempt: 3 } },
      'unknown option guard.maxFailedAttempt (did you mean guard.maxFailedAttempts?)',
    ],
    [
      { limits: { perPhone: { limit: 3, ttlSeconds: 60 } } },
      'unknown option limits.perPhone (did you mean limits.perPhoneNumber?)',
    ],
    [{ CustomerID: 'C-1' }, 'unknown option CustomerID (did you mean customerId?)'],
    [{ sandbox: { cod: '1234' } }, 'unknown option sandbox.cod (did you mean sandbox.code?)'],
    [
      { guard: { headers: { verificationID: 'x-id' } } },
      'unknown option guard.headers.verificationID (did you mean guard.headers.verificationId?)',
    ],
    [
      { limits: { perClientIp: { limit: 3, ttl: 60 } } },
      'unknown option limits.perClientIp.ttl (did you mean limits.perClientIp.ttlSeconds?)',
    ],
    [
      { store: { redis: { uri: 'redis://x' } } },
      'unknown option store.redis.uri (did you mean store.redis.url?)',
    ],
    [{ colour: 'red' }, 'unknown option colour'],
    [{ guard: { 'max attempts': 3 } }, 'unknown option guard."max attempts"'],
  ])('reports %j', (options, problem) => {
    expect(unknownOptionProblems(options)).toEqual([problem]);
  });

  it('reports every unknown key, at every depth', () => {
    expect(
      unknownOptionProblems({
        gaurd: {},
        tokenRetry: { retires: 2 },
        circuitBreaker: { consecutiveFailures: 3, halfOpenAfter: 10 },
      }),
    ).toEqual([
      'unknown option gaurd (did you mean guard?)',
      'unknown option tokenRetry.retires (did you mean tokenRetry.retries?)',
      'unknown option circuitBreaker.halfOpenAfter (did you mean circuitBreaker.halfOpenAfterMs?)',
    ]);
  });

  it('accepts every known key, and never looks into the application’s own objects', () => {
    const own = { anything: 1, goes: { here: true } };
    const resolvePhoneNumber = Object.assign(() => undefined, { extra: 1 });
    const everyOption = {
      customerId: 'C-1',
      password: 'pw',
      key: 'cHc=',
      authToken: 'token-123456',
      country: '91',
      email: 'ops@example.com',
      baseUrl: 'https://verify.example.com',
      apiVersion: 'v3',
      defaultCountryCode: '91',
      defaultFlowType: 'SMS',
      otpLength: 6,
      timeoutMs: 1000,
      sandbox: { code: '1234', port: 0 },
      maxRequestsPerSecond: 10,
      maxQueuedRequests: 10,
      circuitBreaker: { consecutiveFailures: 3, halfOpenAfterMs: 10 },
      tokenRetry: { retries: 1, baseDelayMs: 1, maxDelayMs: 2 },
      guard: {
        resolvePhoneNumber,
        autoSend: true,
        maxAgeSeconds: 60,
        maxFailedAttempts: 3,
        flowType: 'SMS',
        headers: { verificationId: 'x-id', code: 'x-code' },
      },
      store: {
        redis: { url: 'redis://x', client: own, keyPrefix: 'p:' },
        ledger: own,
        ledgerTtlSeconds: 900,
      },
      limits: {
        perPhoneNumber: { limit: 1, ttlSeconds: 1 },
        perClientIp: false,
        allowedCountries: ['IN'],
        storage: own,
      },
      failover: { onAmbiguous: true },
      providers: ['verifynow'],
      verihubs: { template: 'Code: $OTP', whatsapp: { langCode: 'en' }, callback: {} },
      telemetry: false,
    } satisfies Record<keyof VerifyNowModuleOptions, unknown>;
    expect(unknownOptionProblems(everyOption)).toEqual([]);
  });

  it('leaves values that are not objects to the type checks', () => {
    for (const options of [
      undefined,
      null,
      'options',
      [{ gaurd: {} }],
      { sandbox: true, circuitBreaker: false, limits: false },
      { limits: { perPhoneNumber: false }, guard: 'x', store: [1] },
    ]) {
      expect(unknownOptionProblems(options)).toEqual([]);
    }
  });
});
