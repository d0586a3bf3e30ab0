import { Injectable, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import {
  VerifyNowConfigurationError,
  VerifyNowModule,
  VerifyNowModuleOptions,
  VerifyNowOptionsFactory,
  VerifyNowSandbox,
  VerifyNowService,
  verifyNowConfig,
} from '../lib';
import { CapturingLogger } from './helpers/capturing-logger';
import { createVerifyNow } from './helpers/verifynow-context';

const CUSTOMER_ID = 'C-CONFIG-TEST';
const PASSWORD = 's3cret-Pa55word!';

/** Boots a module and reports the error it stops with. */
async function bootError(imports: Parameters<typeof Test.createTestingModule>[0]['imports']) {
  const moduleRef = Test.createTestingModule({ imports }).setLogger(new CapturingLogger());
  return moduleRef.compile().then(
    async (compiled) => {
      await compiled.close();
      return undefined;
    },
    (error: unknown) => error,
  );
}

/** Sets environment variables for one test and restores them afterwards. */
function useEnv(): (vars: Record<string, string | undefined>) => void {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of Object.keys(process.env)) {
      if (!(name in saved)) delete process.env[name];
    }
    Object.assign(process.env, saved);
  });
  return (vars) => {
    for (const [name, value] of Object.entries(vars)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

describe('configuration at boot', () => {
  const setEnv = useEnv();
  let sandbox: VerifyNowSandbox;

  beforeAll(async () => {
    sandbox = await VerifyNowSandbox.start({ customerId: CUSTOMER_ID, password: PASSWORD });
  });
  afterAll(() => sandbox.close());

  it('stops the app naming each bad option and its environment variable', async () => {
    const error = await bootError([
      VerifyNowModule.forRoot({
        customerId: CUSTOMER_ID,
        password: PASSWORD,
        otpLength: 12,
        apiVersion: 'v9' as 'v3',
        baseUrl: 'ftp://example.com',
      }),
    ]);
    expect(error).toBeInstanceOf(VerifyNowConfigurationError);
    const message = (error as Error).message;
    expect(message).toContain(
      'otpLength (VERIFYNOW_OTP_LENGTH) must be an integer from 4 to 8; got 12',
    );
    expect(message).toContain("apiVersion (VERIFYNOW_API_VERSION) must be 'v3' or 'v2'");
    expect(message).toContain('baseUrl (VERIFYNOW_BASE_URL) must be an http(s) URL');
    expect(message).not.toContain(PASSWORD);
  });

  it('never echoes a secret it rejects', async () => {
    const badKey = 'not base64 at all: hunter2!';
    const error = await bootError([
      VerifyNowModule.forRoot({ customerId: CUSTOMER_ID, key: badKey }),
    ]);
    expect(error).toBeInstanceOf(VerifyNowConfigurationError);
    expect((error as Error).message).toContain('key (VERIFYNOW_KEY)');
    expect((error as Error).message).not.toContain('hunter2');
    expect(JSON.stringify(error)).not.toContain('hunter2');
  });

  it('reports a bad environment variable by its name', async () => {
    setEnv({ VERIFYNOW_OTP_LENGTH: 'six', VERIFYNOW_TIMEOUT_MS: '-5' });
    const error = await bootError([VerifyNowModule.forRoot({ sandbox: true })]);
    expect((error as Error).message).toContain(
      'otpLength (VERIFYNOW_OTP_LENGTH) must be an integer from 4 to 8; got "six"',
    );
    expect((error as Error).message).toContain('timeoutMs (VERIFYNOW_TIMEOUT_MS)');
  });

  it('refuses to start without credentials in production', async () => {
    setEnv({ NODE_ENV: 'production' });
    const error = await bootError([VerifyNowModule.forRoot()]);
    expect(error).toBeInstanceOf(VerifyNowConfigurationError);
    expect((error as Error).message).toContain(
      'credentials are required when NODE_ENV is production: set customerId (VERIFYNOW_CUSTOMER_ID) with password (VERIFYNOW_PASSWORD)',
    );
  });

  it('refuses half a set of credentials rather than falling back to the sandbox', async () => {
    const error = await bootError([VerifyNowModule.forRoot({ customerId: CUSTOMER_ID })]);
    expect((error as Error).message).toContain(
      'password (VERIFYNOW_PASSWORD) or key (VERIFYNOW_KEY) is required with customerId (VERIFYNOW_CUSTOMER_ID)',
    );
  });

  it('forRoot() alone reads every setting from the environment', async () => {
    setEnv({
      VERIFYNOW_CUSTOMER_ID: CUSTOMER_ID,
      VERIFYNOW_PASSWORD: PASSWORD,
      VERIFYNOW_BASE_URL: `${sandbox.url}/`,
      VERIFYNOW_OTP_LENGTH: '8',
      VERIFYNOW_FLOW_TYPE: 'whatsapp',
      VERIFYNOW_DEFAULT_COUNTRY_CODE: '+91',
    });
    const context = await createVerifyNow({});
    try {
      expect(context.sandbox).toBeNull();
      const result = await context.service.sendOtp({ phoneNumber: '9999900201' });
      expect(result).toMatchObject({
        countryCode: '91',
        mobileNumber: '9999900201',
        flowType: 'WHATSAPP',
      });
      const [message] = sandbox.outbox('+919999900201');
      expect(message.code).toMatch(/^\d{8}$/);
      expect(message.flowType).toBe('WHATSAPP');
    } finally {
      await context.close();
    }
  });

  it('lets options given in code win over the environment', async () => {
    setEnv({ VERIFYNOW_OTP_LENGTH: '8', VERIFYNOW_CUSTOMER_ID: 'C-FROM-ENV' });
    const context = await createVerifyNow({
      customerId: CUSTOMER_ID,
      password: PASSWORD,
      baseUrl: sandbox.url,
      otpLength: 5,
    });
    try {
      await context.service.sendOtp({ phoneNumber: '+919999900202' });
      expect(sandbox.latestCode('+919999900202')).toMatch(/^\d{5}$/);
    } finally {
      await context.close();
    }
  });

  it('defaults to 6-digit codes', async () => {
    const context = await createVerifyNow({
      customerId: CUSTOMER_ID,
      password: PASSWORD,
      baseUrl: sandbox.url,
    });
    try {
      await context.service.sendOtp({ phoneNumber: '+919999900203' });
      expect(sandbox.latestCode('+919999900203')).toMatch(/^\d{6}$/);
    } finally {
      await context.close();
    }
  });

  it('accepts the password already Base64-encoded as key', async () => {
    const context = await createVerifyNow({
      customerId: CUSTOMER_ID,
      key: Buffer.from(PASSWORD).toString('base64'),
      baseUrl: sandbox.url,
    });
    try {
      await expect(
        context.service.sendOtp({ phoneNumber: '+919999900204' }),
      ).resolves.toBeDefined();
    } finally {
      await context.close();
    }
  });

  it('runs the embedded sandbox with a fixed code from VERIFYNOW_SANDBOX_CODE', async () => {
    setEnv({ VERIFYNOW_SANDBOX: 'true', VERIFYNOW_SANDBOX_CODE: '135790' });
    const context = await createVerifyNow({});
    try {
      expect(context.sandbox).toBeInstanceOf(VerifyNowSandbox);
      const { verificationId } = await context.service.sendOtp({ phoneNumber: '+919999900205' });
      await expect(
        context.service.validateOtp({ verificationId, code: '135790' }),
      ).resolves.toMatchObject({ status: 'VERIFICATION_COMPLETED' });
      expect(context.logger.text()).not.toContain('135790');
    } finally {
      await context.close();
    }
  });

  it.each(['test', 'development', ' Development '])(
    'starts the embedded sandbox by itself with no credentials when NODE_ENV is %j, and says so',
    async (NODE_ENV) => {
      setEnv({ NODE_ENV });
      const context = await createVerifyNow({});
      try {
        expect(context.sandbox).toBeInstanceOf(VerifyNowSandbox);
        expect(context.logger.text()).toContain('embedded sandbox at http://127.0.0.1:');
        expect(context.logger.text()).toContain('because no credentials are configured');
        await expect(
          context.service.sendOtp({ phoneNumber: '+919999900206' }),
        ).resolves.toBeDefined();
      } finally {
        await context.close();
      }
    },
  );

  it.each([
    ['unset', undefined, 'unset'],
    ['staging', 'staging', '"staging"'],
  ])(
    'with NODE_ENV %s and no credentials, refuses to boot and says how to turn the sandbox on',
    async (_, NODE_ENV, shown) => {
      setEnv({ NODE_ENV });
      const error = await bootError([VerifyNowModule.forRoot()]);
      expect(error).toBeInstanceOf(VerifyNowConfigurationError);
      expect((error as VerifyNowConfigurationError).problems).toEqual([
        `no credentials and no sandbox (VERIFYNOW_SANDBOX) setting while NODE_ENV is ${shown}: set VERIFYNOW_SANDBOX=true (or sandbox: true) to run against the embedded sandbox, or set customerId (VERIFYNOW_CUSTOMER_ID) with password (VERIFYNOW_PASSWORD) (or key (VERIFYNOW_KEY)), or authToken (VERIFYNOW_AUTH_TOKEN); the sandbox starts by itself only when NODE_ENV is development or test`,
      ]);
    },
  );

  it('runs the embedded sandbox with NODE_ENV unset when VERIFYNOW_SANDBOX=true asks for it', async () => {
    setEnv({ NODE_ENV: undefined, VERIFYNOW_SANDBOX: 'true' });
    const context = await createVerifyNow({});
    try {
      expect(context.sandbox).toBeInstanceOf(VerifyNowSandbox);
      expect(context.logger.text()).toContain('because sandbox mode is on');
    } finally {
      await context.close();
    }
  });

  it('keeps sandbox: false without credentials an error, even in test', async () => {
    const error = await bootError([VerifyNowModule.forRoot({ sandbox: false })]);
    expect((error as VerifyNowConfigurationError).problems).toEqual([
      'credentials are required with sandbox off: set customerId (VERIFYNOW_CUSTOMER_ID) with password (VERIFYNOW_PASSWORD) (or key (VERIFYNOW_KEY)), or authToken (VERIFYNOW_AUTH_TOKEN)',
    ]);
  });

  describe('never runs the sandbox when NODE_ENV is production', () => {
    const conflict =
      'sandbox (VERIFYNOW_SANDBOX) is on while NODE_ENV is production, where the embedded sandbox never runs: turn sandbox off and set customerId (VERIFYNOW_CUSTOMER_ID) with password (VERIFYNOW_PASSWORD) (or key (VERIFYNOW_KEY)), or authToken (VERIFYNOW_AUTH_TOKEN)';

    it('asked for in code', async () => {
      setEnv({ NODE_ENV: 'production' });
      const error = await bootError([VerifyNowModule.forRoot({ sandbox: { code: '135790' } })]);
      expect(error).toBeInstanceOf(VerifyNowConfigurationError);
      expect((error as VerifyNowConfigurationError).problems).toEqual([conflict]);
    });

    it('asked for by VERIFYNOW_SANDBOX, with live credentials and a fixed code', async () => {
      setEnv({
        NODE_ENV: ' Production ',
        VERIFYNOW_SANDBOX: 'true',
        VERIFYNOW_SANDBOX_CODE: '135790',
        VERIFYNOW_CUSTOMER_ID: CUSTOMER_ID,
        VERIFYNOW_PASSWORD: PASSWORD,
      });
      const error = await bootError([VerifyNowModule.forRoot()]);
      expect(error).toBeInstanceOf(VerifyNowConfigurationError);
      const { problems, message } = error as VerifyNowConfigurationError;
      expect(problems).toEqual([
        conflict,
        'sandbox (VERIFYNOW_SANDBOX) is on together with live credentials (customerId (VERIFYNOW_CUSTOMER_ID), password (VERIFYNOW_PASSWORD)): turn sandbox off to call the upstream with them, or remove them to run against the embedded sandbox',
      ]);
      expect(message).not.toContain(PASSWORD);
      expect(message).not.toContain('135790');
    });

    it('asked for through verifyNowConfig, which reports the environment as it is', async () => {
      setEnv({ NODE_ENV: 'production', VERIFYNOW_SANDBOX: 'yes' });
      expect(verifyNowConfig()).toEqual({ sandbox: true });
      const error = await bootError([
        ConfigModule.forRoot({ ignoreEnvFile: true }),
        VerifyNowModule.forRootAsync(verifyNowConfig.asProvider()),
      ]);
      expect((error as VerifyNowConfigurationError).problems).toEqual([conflict]);
    });
  });

  it('refuses the sandbox together with live credentials', async () => {
    const error = await bootError([
      VerifyNowModule.forRoot({ sandbox: true, authToken: 'token-123456789' }),
    ]);
    expect(error).toBeInstanceOf(VerifyNowConfigurationError);
    expect((error as VerifyNowConfigurationError).problems).toEqual([
      'sandbox (VERIFYNOW_SANDBOX) is on together with live credentials (authToken (VERIFYNOW_AUTH_TOKEN)): turn sandbox off to call the upstream with them, or remove them to run against the embedded sandbox',
    ]);
    expect((error as Error).message).not.toContain('token-123456789');
  });

  it('stops the boot on unknown option keys at any depth, suggesting the closest', async () => {
    const error = await bootError([
      VerifyNowModule.forRootAsync({
        useFactory: () =>
          ({
            gaurd: { autoSend: false },
            guard: { maxFailedAttempt: 3 },
            limits: { perPhone: { limit: 3, ttlSeconds: 60 }, quota: 5 },
          }) as VerifyNowModuleOptions,
      }),
    ]);
    expect(error).toBeInstanceOf(VerifyNowConfigurationError);
    expect((error as VerifyNowConfigurationError).problems).toEqual([
      'unknown option gaurd (did you mean guard?)',
      'unknown option guard.maxFailedAttempt (did you mean guard.maxFailedAttempts?)',
      'unknown option limits.perPhone (did you mean limits.perPhoneNumber?)',
      'unknown option limits.quota',
    ]);
  });

  it('reports unknown keys, bad values and a sandbox conflict in one error', async () => {
    setEnv({ NODE_ENV: 'production', VERIFYNOW_OTP_LENGTH: 'six' });
    const error = await bootError([
      VerifyNowModule.forRoot({
        customerId: CUSTOMER_ID,
        password: PASSWORD,
        sandbox: true,
        timeoutMs: 0,
        guard: { maxFailedAttempt: 3 } as never,
      }),
    ]);
    const { problems, message } = error as VerifyNowConfigurationError;
    expect(problems).toEqual([
      'unknown option guard.maxFailedAttempt (did you mean guard.maxFailedAttempts?)',
      expect.stringContaining('sandbox (VERIFYNOW_SANDBOX) is on while NODE_ENV is production'),
      expect.stringContaining('sandbox (VERIFYNOW_SANDBOX) is on together with live credentials'),
      'otpLength (VERIFYNOW_OTP_LENGTH) must be an integer from 4 to 8; got "six"',
      'timeoutMs (VERIFYNOW_TIMEOUT_MS) must be an integer number of milliseconds from 1 to 300000; got 0',
    ]);
    expect(message).not.toContain(PASSWORD);
  });

  it.each([
    [
      'in code',
      () =>
        VerifyNowModule.forRoot({
          customerId: CUSTOMER_ID,
          password: PASSWORD,
          baseUrl: 'https://ops:hunter2@verify.example.com',
        }),
    ],
    [
      'in VERIFYNOW_BASE_URL',
      () => {
        process.env.VERIFYNOW_BASE_URL = 'https://ops:hunter2@verify.example.com/';
        return VerifyNowModule.forRoot({ customerId: CUSTOMER_ID, password: PASSWORD });
      },
    ],
  ])('refuses a baseUrl with credentials %s, never echoing them', async (_, module) => {
    setEnv({});
    const error = await bootError([module()]);
    expect(error).toBeInstanceOf(VerifyNowConfigurationError);
    const message = (error as Error).message;
    expect(message).toContain(
      'baseUrl (VERIFYNOW_BASE_URL) must be an http(s) URL without query string, e.g. https://cpaas.messagecentral.com, and without credentials in it; got "https://***@verify.example.com',
    );
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('ops:');
    expect(JSON.stringify(error)).not.toContain('hunter2');
  });

  it('closes the embedded sandbox with the app', async () => {
    const context = await createVerifyNow({ sandbox: true });
    const url = context.sandbox!.url;
    await context.close();
    await expect(fetch(`${url}/sandbox/outbox`)).rejects.toThrow();
  });
});

describe('forRootAsync', () => {
  const setEnv = useEnv();
  let sandbox: VerifyNowSandbox;

  beforeAll(async () => {
    sandbox = await VerifyNowSandbox.start({ customerId: CUSTOMER_ID, password: PASSWORD });
  });
  afterAll(() => sandbox.close());

  async function sendWith(
    imports: Parameters<typeof Test.createTestingModule>[0]['imports'],
    phoneNumber: string,
  ) {
    const moduleRef = await Test.createTestingModule({ imports })
      .setLogger(new CapturingLogger())
      .compile();
    try {
      return await moduleRef.get(VerifyNowService).sendOtp({ phoneNumber });
    } finally {
      await moduleRef.close();
    }
  }

  it('takes useFactory with imports and inject', async () => {
    const result = await sendWith(
      [
        VerifyNowModule.forRootAsync({
          imports: [
            ConfigModule.forRoot({
              ignoreEnvFile: true,
              load: [() => ({ mc: { id: CUSTOMER_ID, pw: PASSWORD } })],
            }),
          ],
          inject: [ConfigService],
          useFactory: (config: ConfigService): VerifyNowModuleOptions => ({
            customerId: config.getOrThrow<string>('mc.id'),
            password: config.getOrThrow<string>('mc.pw'),
            baseUrl: sandbox.url,
          }),
        }),
      ],
      '+919999900301',
    );
    expect(result.alreadyPending).toBe(false);
  });

  it('takes useClass', async () => {
    @Injectable()
    class Options implements VerifyNowOptionsFactory {
      create(): VerifyNowModuleOptions {
        return { customerId: CUSTOMER_ID, password: PASSWORD, baseUrl: sandbox.url };
      }
    }
    await expect(
      sendWith([VerifyNowModule.forRootAsync({ useClass: Options })], '+919999900302'),
    ).resolves.toBeDefined();
  });

  it('takes useExisting', async () => {
    @Injectable()
    class Options implements VerifyNowOptionsFactory {
      create(): Promise<VerifyNowModuleOptions> {
        return Promise.resolve({
          customerId: CUSTOMER_ID,
          password: PASSWORD,
          baseUrl: sandbox.url,
        });
      }
    }
    @Module({ providers: [Options], exports: [Options] })
    class OptionsModule {}
    await expect(
      sendWith(
        [VerifyNowModule.forRootAsync({ imports: [OptionsModule], useExisting: Options })],
        '+919999900303',
      ),
    ).resolves.toBeDefined();
  });

  it('takes verifyNowConfig.asProvider(), reading the environment through @nestjs/config', async () => {
    setEnv({
      VERIFYNOW_CUSTOMER_ID: CUSTOMER_ID,
      VERIFYNOW_PASSWORD: PASSWORD,
      VERIFYNOW_BASE_URL: sandbox.url,
      VERIFYNOW_API_VERSION: 'v2',
    });
    const before = sandbox.requests().length;
    await sendWith(
      [
        ConfigModule.forRoot({ ignoreEnvFile: true }),
        VerifyNowModule.forRootAsync(verifyNowConfig.asProvider()),
      ],
      '+919999900304',
    );
    expect(
      sandbox
        .requests()
        .slice(before)
        .map((r) => r.path),
    ).toContain('/verification/v2/verification/send');
  });

  it('reports a bad value of verifyNowConfig by its variable', () => {
    setEnv({ VERIFYNOW_FLOW_TYPE: 'PIGEON' });
    expect(() => verifyNowConfig()).toThrow(
      'defaultFlowType (VERIFYNOW_FLOW_TYPE) must be one of SMS, WHATSAPP, RCS, SAUTH; got "PIGEON"',
    );
  });

  it('with isGlobal, serves VerifyNowService to modules that do not import it', async () => {
    @Injectable()
    class Consumer {
      constructor(readonly verifyNow: VerifyNowService) {}
    }
    @Module({ providers: [Consumer], exports: [Consumer] })
    class FeatureModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [
        VerifyNowModule.forRootAsync({
          isGlobal: true,
          useFactory: () => ({ customerId: CUSTOMER_ID, password: PASSWORD, baseUrl: sandbox.url }),
        }),
        FeatureModule,
      ],
    })
      .setLogger(new CapturingLogger())
      .compile();
    try {
      expect(moduleRef.get(Consumer).verifyNow).toBeInstanceOf(VerifyNowService);
    } finally {
      await moduleRef.close();
    }
  });
});
