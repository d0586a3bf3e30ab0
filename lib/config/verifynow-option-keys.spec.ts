import { unknownOptionProblems } from './verifynow-option-keys';

describe('unknownOptionProblems', () => {
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
    expect(
      unknownOptionProblems({
        customerId: 'C-1',
        password: 'pw',
        sandbox: { code: '1234', port: 0 },
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
        store: { redis: { url: 'redis://x', client: own, keyPrefix: 'p:' }, ledger: own },
        limits: {
          perPhoneNumber: { limit: 1, ttlSeconds: 1 },
          perClientIp: false,
          allowedCountries: ['IN'],
          storage: own,
        },
      }),
    ).toEqual([]);
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
