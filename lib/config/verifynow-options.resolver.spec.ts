import { VerifyNowConfigurationError } from '../errors/verifynow-configuration.error';
import type { VerifyNowModuleOptions } from '../interfaces/verifynow-module-options.interface';
import {
  DEFAULT_BASE_URL,
  SANDBOX_DEFAULT_CREDENTIALS,
} from '../providers/verifynow/verifynow.options';
import { resolveVerifyNowOptions, verifyNowOptionsFromEnv } from './verifynow-options.resolver';

const problemsOf = (run: () => unknown): readonly string[] => {
  try {
    run();
  } catch (error) {
    if (error instanceof VerifyNowConfigurationError) {
      return error.problems;
    }
    throw error;
  }
  throw new Error('expected a VerifyNowConfigurationError');
};

describe('resolveVerifyNowOptions', () => {
  const credentials = { customerId: 'C-1', password: 'pw' };

  it('applies safe defaults', () => {
    const resolved = resolveVerifyNowOptions(credentials, {});
    expect(resolved).toMatchObject({
      mode: 'live',
      baseUrl: DEFAULT_BASE_URL,
      apiVersion: 'v3',
      defaultFlowType: 'SMS',
      otpLength: 6,
      timeoutMs: 10_000,
      credentials: { type: 'key', customerId: 'C-1', key: Buffer.from('pw').toString('base64') },
    });
  });

  it('reads each option from its environment variable when code leaves it out', () => {
    const resolved = resolveVerifyNowOptions(
      {},
      {
        VERIFYNOW_CUSTOMER_ID: 'C-ENV',
        VERIFYNOW_KEY: 'cHc=',
        VERIFYNOW_COUNTRY: '+91',
        VERIFYNOW_EMAIL: 'ops@example.com',
        VERIFYNOW_BASE_URL: 'https://verify.example.com/',
        VERIFYNOW_API_VERSION: 'V2',
        VERIFYNOW_DEFAULT_COUNTRY_CODE: '62',
        VERIFYNOW_FLOW_TYPE: 'rcs',
        VERIFYNOW_OTP_LENGTH: '8',
        VERIFYNOW_TIMEOUT_MS: '2500',
      },
    );
    expect(resolved).toMatchObject({
      credentials: { type: 'key', customerId: 'C-ENV', key: 'cHc=' },
      country: '91',
      email: 'ops@example.com',
      baseUrl: 'https://verify.example.com',
      apiVersion: 'v2',
      defaultCountryCode: '62',
      defaultFlowType: 'RCS',
      otpLength: 8,
      timeoutMs: 2500,
    });
  });

  it('takes the variable for an option code sets to null or leaves out, at any depth', () => {
    const resolved = resolveVerifyNowOptions(
      { ...credentials, otpLength: null, store: { redis: { keyPrefix: 'app:' } } } as never,
      { VERIFYNOW_OTP_LENGTH: '7', VERIFYNOW_REDIS_URL: 'redis://127.0.0.1:6379/2' },
    );
    expect(resolved.otpLength).toBe(7);
    expect(resolved.store.redis).toEqual({
      url: 'redis://127.0.0.1:6379/2',
      client: undefined,
      keyPrefix: 'app:',
    });
  });

  it('treats empty environment variables as unset', () => {
    const resolved = resolveVerifyNowOptions(credentials, { VERIFYNOW_OTP_LENGTH: '  ' });
    expect(resolved.otpLength).toBe(6);
  });

  it('lists every problem at once, each with its variable', () => {
    const problems = problemsOf(() =>
      resolveVerifyNowOptions({ ...credentials, otpLength: 3, timeoutMs: 0, email: 'nope' }, {}),
    );
    expect(problems).toEqual([
      'email (VERIFYNOW_EMAIL) must be an e-mail address; got "nope"',
      'otpLength (VERIFYNOW_OTP_LENGTH) must be an integer from 4 to 8; got 3',
      'timeoutMs (VERIFYNOW_TIMEOUT_MS) must be an integer number of milliseconds from 1 to 300000; got 0',
    ]);
  });

  it.each([
    [
      { customerId: 'C-1', password: 'pw', key: 'cHc=' },
      'set only one of password (VERIFYNOW_PASSWORD) or key (VERIFYNOW_KEY)',
    ],
    [
      { authToken: 'token-123456', password: 'pw', customerId: 'C-1' },
      'set either authToken (VERIFYNOW_AUTH_TOKEN) or a password/key, not both',
    ],
    [{ password: 'pw' }, 'customerId (VERIFYNOW_CUSTOMER_ID) is required with a password or key'],
    [
      { customerId: 'C-1' },
      'password (VERIFYNOW_PASSWORD) or key (VERIFYNOW_KEY) is required with customerId (VERIFYNOW_CUSTOMER_ID)',
    ],
    [{ sandbox: false }, 'credentials are required with sandbox off'],
    [
      { authToken: 'token-123456', apiVersion: 'v2' as const },
      'customerId (VERIFYNOW_CUSTOMER_ID) is required with apiVersion v2',
    ],
  ])('refuses inconsistent credentials %#', (options, problem) => {
    expect(problemsOf(() => resolveVerifyNowOptions(options, {})).join('\n')).toContain(problem);
  });

  it('never repeats a secret in a problem', () => {
    const problems = problemsOf(() =>
      resolveVerifyNowOptions(
        { customerId: 'C-1', key: 'not*base64*hunter2', authToken: 'short' },
        { VERIFYNOW_SANDBOX_CODE: 'hunter2' },
      ),
    ).join('\n');
    expect(problems).toContain('key (VERIFYNOW_KEY)');
    expect(problems).toContain('authToken (VERIFYNOW_AUTH_TOKEN)');
    expect(problems).toContain('sandbox.code (VERIFYNOW_SANDBOX_CODE)');
    expect(problems).not.toContain('hunter2');
    expect(problems).not.toContain('short');
  });

  it('reports unknown keys with every other problem, in one error', () => {
    const problems = problemsOf(() =>
      resolveVerifyNowOptions(
        {
          ...credentials,
          otpLength: 3,
          sandbox: true,
          gaurd: { maxAgeSeconds: 60 },
          limits: { perPhone: { limit: 3, ttlSeconds: 60 } },
        } as VerifyNowModuleOptions,
        { NODE_ENV: 'production' },
      ),
    );
    expect(problems).toEqual([
      'unknown option gaurd (did you mean guard?)',
      'unknown option limits.perPhone (did you mean limits.perPhoneNumber?)',
      'sandbox (VERIFYNOW_SANDBOX) is on while NODE_ENV is production, where the embedded sandbox never runs: turn sandbox off and set customerId (VERIFYNOW_CUSTOMER_ID) with password (VERIFYNOW_PASSWORD) (or key (VERIFYNOW_KEY)), or authToken (VERIFYNOW_AUTH_TOKEN)',
      'sandbox (VERIFYNOW_SANDBOX) is on together with live credentials (customerId (VERIFYNOW_CUSTOMER_ID), password (VERIFYNOW_PASSWORD)): turn sandbox off to call the upstream with them, or remove them to run against the embedded sandbox',
      'otpLength (VERIFYNOW_OTP_LENGTH) must be an integer from 4 to 8; got 3',
    ]);
  });

  it.each([
    ['https://user:hunter2@verify.example.com', '"https://***@verify.example.com"'],
    ['https://hunter2@verify.example.com/v3', '"https://***@verify.example.com/v3"'],
    ['ftp://user:hunter2@verify.example.com', '"ftp://***@verify.example.com"'],
    ['https://user:hun/ter2@verify.example.com', '"https://***@verify.example.com"'],
    ['user:hunter2@verify.example.com', '"***@verify.example.com"'],
  ])('refuses a baseUrl with credentials, masking them: %s', (baseUrl, shown) => {
    for (const [options, variables] of [
      [{ ...credentials, baseUrl }, {}],
      [credentials, { VERIFYNOW_BASE_URL: baseUrl }],
    ] as const) {
      const [problem] = problemsOf(() => resolveVerifyNowOptions(options, variables));
      expect(problem).toMatch(/^baseUrl \(VERIFYNOW_BASE_URL\) must be an http\(s\) URL/);
      expect(problem).toContain(`; got ${shown}`);
      expect(problem).not.toContain('hunter2');
      expect(problem).not.toContain('ter2');
    }
  });

  it('masks credentials of a URL given to any other option', () => {
    const problems = problemsOf(() =>
      resolveVerifyNowOptions({ ...credentials, country: 'https://ops:hunter2@example.com' }, {}),
    ).join();
    expect(problems).toContain('; got "https://***@example.com"');
    expect(problems).not.toContain('hunter2');
  });

  describe('the sandbox decision', () => {
    it('runs the sandbox by itself with no credentials in development and test only', () => {
      for (const NODE_ENV of ['development', 'test', ' Test ']) {
        expect(resolveVerifyNowOptions({}, { NODE_ENV })).toMatchObject({
          mode: 'sandbox',
          sandboxReason: 'no-credentials',
        });
      }
      for (const NODE_ENV of [undefined, '', 'staging']) {
        expect(problemsOf(() => resolveVerifyNowOptions({}, { NODE_ENV })).join()).toContain(
          'set VERIFYNOW_SANDBOX=true (or sandbox: true) to run against the embedded sandbox',
        );
      }
    });

    it('refuses to start without credentials in production', () => {
      expect(
        problemsOf(() => resolveVerifyNowOptions({}, { NODE_ENV: 'production' })).join(),
      ).toContain('credentials are required when NODE_ENV is production');
    });

    it('runs the sandbox when asked, with its own credentials and the settings given', () => {
      const resolved = resolveVerifyNowOptions(
        { sandbox: { code: '1234', port: 4010 } },
        { NODE_ENV: 'staging' },
      );
      expect(resolved).toMatchObject({
        mode: 'sandbox',
        sandboxReason: 'configured',
        sandbox: { code: '1234', port: 4010 },
        credentials: {
          type: 'key',
          customerId: SANDBOX_DEFAULT_CREDENTIALS.customerId,
          key: Buffer.from(SANDBOX_DEFAULT_CREDENTIALS.password).toString('base64'),
        },
      });
    });

    it.each([
      ['in code', { sandbox: true }, {}],
      ['in code, as settings', { sandbox: { code: '1234' } }, {}],
      ['in the environment', {}, { VERIFYNOW_SANDBOX: 'true' }],
    ])('refuses the sandbox when NODE_ENV is production (asked %s)', (_, options, variables) => {
      expect(
        problemsOf(() =>
          resolveVerifyNowOptions(options, { ...variables, NODE_ENV: ' PRODUCTION ' }),
        ),
      ).toEqual([
        'sandbox (VERIFYNOW_SANDBOX) is on while NODE_ENV is production, where the embedded sandbox never runs: turn sandbox off and set customerId (VERIFYNOW_CUSTOMER_ID) with password (VERIFYNOW_PASSWORD) (or key (VERIFYNOW_KEY)), or authToken (VERIFYNOW_AUTH_TOKEN)',
      ]);
    });

    it('refuses the sandbox together with live credentials, from code or environment', () => {
      expect(
        problemsOf(() => resolveVerifyNowOptions({ ...credentials, sandbox: true }, {})),
      ).toEqual([
        'sandbox (VERIFYNOW_SANDBOX) is on together with live credentials (customerId (VERIFYNOW_CUSTOMER_ID), password (VERIFYNOW_PASSWORD)): turn sandbox off to call the upstream with them, or remove them to run against the embedded sandbox',
      ]);
      expect(
        problemsOf(() =>
          resolveVerifyNowOptions(
            { sandbox: true },
            { NODE_ENV: 'test', VERIFYNOW_AUTH_TOKEN: 'token-123456' },
          ),
        ).join(),
      ).toContain('is on together with live credentials (authToken (VERIFYNOW_AUTH_TOKEN))');
    });

    it('names both conflicts when the sandbox is asked in production with credentials', () => {
      const problems = problemsOf(() =>
        resolveVerifyNowOptions(
          { ...credentials, sandbox: { code: '1234', port: 4010 } },
          { NODE_ENV: 'production' },
        ),
      );
      expect(problems).toHaveLength(2);
      expect(problems[0]).toContain('is on while NODE_ENV is production');
      expect(problems[1]).toContain('is on together with live credentials');
    });

    it('reads VERIFYNOW_SANDBOX as a boolean', () => {
      expect(resolveVerifyNowOptions({}, { VERIFYNOW_SANDBOX: 'yes' }).mode).toBe('sandbox');
      expect(resolveVerifyNowOptions(credentials, { VERIFYNOW_SANDBOX: '0' }).mode).toBe('live');
      expect(problemsOf(() => resolveVerifyNowOptions({}, { VERIFYNOW_SANDBOX: 'maybe' }))).toEqual(
        [
          'sandbox (VERIFYNOW_SANDBOX) must be true or false (or, in code, an object of sandbox settings); got "maybe"',
        ],
      );
    });

    it('does not switch the sandbox on because a sandbox code is set', () => {
      expect(resolveVerifyNowOptions(credentials, { VERIFYNOW_SANDBOX_CODE: '123456' }).mode).toBe(
        'live',
      );
    });
  });

  it('counts the password, key and token as secrets', () => {
    const resolved = resolveVerifyNowOptions(credentials, {});
    expect(resolved.secrets).toEqual(['pw', Buffer.from('pw').toString('base64')]);
  });
});

describe('verifyNowOptionsFromEnv', () => {
  it('converts the variables to typed options, leaving out unset ones', () => {
    expect(
      verifyNowOptionsFromEnv({
        VERIFYNOW_CUSTOMER_ID: 'C-9',
        VERIFYNOW_PASSWORD: 'pw',
        VERIFYNOW_OTP_LENGTH: '7',
        VERIFYNOW_SANDBOX: 'true',
        VERIFYNOW_SANDBOX_PORT: '4010',
      }),
    ).toEqual({ customerId: 'C-9', password: 'pw', otpLength: 7, sandbox: { port: 4010 } });
  });

  it('returns what the environment says, leaving the sandbox decision to the module', () => {
    expect(
      verifyNowOptionsFromEnv({
        NODE_ENV: 'production',
        VERIFYNOW_CUSTOMER_ID: 'C-9',
        VERIFYNOW_PASSWORD: 'pw',
        VERIFYNOW_SANDBOX: 'true',
      }),
    ).toEqual({ customerId: 'C-9', password: 'pw', sandbox: true });
    expect(verifyNowOptionsFromEnv({ NODE_ENV: 'staging' })).toEqual({});
  });

  it('nests the options that live inside another one, as code gives them', () => {
    expect(
      verifyNowOptionsFromEnv({
        VERIFYNOW_REDIS_URL: 'redis://127.0.0.1:6379/1',
        VERIFYNOW_ALLOWED_COUNTRIES: 'in, id',
        VERIFYNOW_SANDBOX: 'false',
        VERIFYNOW_SANDBOX_CODE: '123456',
      }),
    ).toEqual({
      store: { redis: { url: 'redis://127.0.0.1:6379/1' } },
      limits: { allowedCountries: ['IN', 'ID'] },
      sandbox: false,
    });
  });

  it('names the variable behind a bad value', () => {
    expect(problemsOf(() => verifyNowOptionsFromEnv({ VERIFYNOW_TIMEOUT_MS: 'soon' }))).toEqual([
      'timeoutMs (VERIFYNOW_TIMEOUT_MS) must be an integer number of milliseconds from 1 to 300000; got "soon"',
    ]);
  });
});

describe('the guard, store and limits options', () => {
  const credentials = { customerId: 'C-1', password: 'pw' };

  it('defaults to NIST/ASVS-minded settings: 10 minutes, 5 tries, 5 sends per phone, 20 per IP', () => {
    const resolved = resolveVerifyNowOptions(credentials, {});
    expect(resolved.guard).toEqual({
      resolvePhoneNumber: undefined,
      autoSend: true,
      maxAgeSeconds: 600,
      maxFailedAttempts: 5,
      flowType: undefined,
      headers: { verificationId: 'x-otp-verification-id', code: 'x-otp-code' },
    });
    expect(resolved.store).toEqual({ redis: undefined, ledger: undefined, ledgerTtlMs: 900_000 });
    expect(resolved.limits).toEqual({
      perPhoneNumber: { limit: 5, ttlSeconds: 600 },
      perClientIp: { limit: 20, ttlSeconds: 3600 },
      allowedCountries: undefined,
      storage: undefined,
    });
  });

  it('reads the Redis URL and the country allowlist from the environment', () => {
    const resolved = resolveVerifyNowOptions(credentials, {
      VERIFYNOW_REDIS_URL: 'redis://:hunter2@127.0.0.1:6379/1',
      VERIFYNOW_ALLOWED_COUNTRIES: 'in, id',
    });
    expect(resolved.store.redis).toEqual({
      url: 'redis://:hunter2@127.0.0.1:6379/1',
      client: undefined,
      keyPrefix: 'verifynow:',
    });
    expect([...(resolved.limits.allowedCountries ?? [])]).toEqual(['IN', 'ID']);
    expect(resolved.secrets).toEqual(expect.arrayContaining(['hunter2']));
  });

  it('turns every limit off with limits: false', () => {
    expect(resolveVerifyNowOptions({ ...credentials, limits: false }, {}).limits).toEqual({
      perPhoneNumber: undefined,
      perClientIp: undefined,
      allowedCountries: undefined,
      storage: undefined,
    });
  });

  it('names each bad nested option', () => {
    const problems = problemsOf(() =>
      resolveVerifyNowOptions(
        {
          ...credentials,
          guard: {
            resolvePhoneNumber: 'user.phone' as never,
            maxAgeSeconds: 0,
            maxFailedAttempts: 50,
            headers: { code: 'x otp' },
          },
          store: { ledgerTtlSeconds: 30 },
          limits: { perPhoneNumber: { limit: 0, ttlSeconds: 60 }, allowedCountries: ['XX'] },
        },
        {},
      ),
    ).join('\n');
    for (const expected of [
      'guard.resolvePhoneNumber must be a function',
      'guard.maxAgeSeconds must be an integer number of seconds from 1 to 86400',
      'guard.maxFailedAttempts must be an integer from 1 to 20',
      'guard.headers.code must be an HTTP header name',
      'store.ledgerTtlSeconds must be an integer number of seconds from 60 to 86400',
      'limits.perPhoneNumber must be false or { limit, ttlSeconds }',
      'limits.allowedCountries (VERIFYNOW_ALLOWED_COUNTRIES) must list ISO 3166-1 alpha-2 country codes',
    ]) {
      expect(problems).toContain(expected);
    }
  });

  it('refuses a ledger that forgets verifications the guard still accepts', () => {
    expect(
      problemsOf(() =>
        resolveVerifyNowOptions(
          { ...credentials, guard: { maxAgeSeconds: 3600 }, store: { ledgerTtlSeconds: 900 } },
          {},
        ),
      ).join(),
    ).toContain('store.ledgerTtlSeconds (900) must be at least guard.maxAgeSeconds (3600)');
  });

  it('never echoes a Redis URL, which may hold a password', () => {
    const problems = problemsOf(() =>
      resolveVerifyNowOptions(credentials, { VERIFYNOW_REDIS_URL: 'http://:hunter2@cache' }),
    ).join();
    expect(problems).toContain(
      'store.redis.url (VERIFYNOW_REDIS_URL) must be a redis:// or rediss:// URL',
    );
    expect(problems).not.toContain('hunter2');
  });
});
