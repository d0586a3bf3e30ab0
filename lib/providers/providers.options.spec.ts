import { VerifyNowConfigurationError } from '../errors/verifynow-configuration.error';
import { resolveVerifyNowOptions } from '../config/verifynow-options.resolver';
import type { VerifyNowModuleOptions } from '../interfaces/verifynow-module-options.interface';
import { VERIHUBS_SANDBOX_CREDENTIALS } from './verihubs/verihubs.options';

const HUB = { VERIHUBS_APP_ID: 'app-123', VERIHUBS_API_KEY: 'hub-secret-key-42' };
const NOW = { VERIFYNOW_CUSTOMER_ID: 'C-1', VERIFYNOW_PASSWORD: 'now-secret-pass' };

function problems(options: VerifyNowModuleOptions, env: Record<string, string>): string[] {
  try {
    resolveVerifyNowOptions(options, env);
  } catch (error) {
    if (error instanceof VerifyNowConfigurationError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a VerifyNowConfigurationError');
}

describe('providers and Verihubs options', () => {
  it('runs on Verihubs alone when only it is configured, from the environment', () => {
    const resolved = resolveVerifyNowOptions({}, { ...HUB, NODE_ENV: 'production' });
    expect(resolved.mode).toBe('live');
    expect(resolved.providers).toEqual(['verihubs']);
    expect(resolved.credentials).toBeUndefined();
    expect(resolved.verihubs).toEqual({
      appId: 'app-123',
      apiKey: 'hub-secret-key-42',
      baseUrl: 'https://api.verihubs.com',
      useProviderSandbox: false,
      template: expect.stringContaining('$OTP'),
      challenge: 'verifynow',
      timeLimitSeconds: 300,
      whatsapp: undefined,
      callback: undefined,
      maxRequestsPerSecond: 50,
    });
    expect(resolved.secrets).toContain('hub-secret-key-42');
  });

  it('uses every configured provider, VerifyNow first, unless providers orders them', () => {
    expect(resolveVerifyNowOptions({}, { ...HUB, ...NOW }).providers).toEqual([
      'verifynow',
      'verihubs',
    ]);
    const env = { ...HUB, ...NOW, VERIFYNOW_PROVIDERS: ' Verihubs, verifynow ' };
    expect(resolveVerifyNowOptions({}, env).providers).toEqual(['verihubs', 'verifynow']);
    expect(resolveVerifyNowOptions({ providers: ['verifynow'] }, env).providers).toEqual([
      'verifynow',
    ]);
  });

  it('reads the Verihubs settings from code, the environment filling the rest', () => {
    const resolved = resolveVerifyNowOptions(
      {
        verihubs: {
          template: 'Kode Anda: $OTP',
          whatsapp: { templateName: 'otp_template' },
          callback: { url: 'https://api.example.com/hooks/verihubs' },
        },
      },
      { ...HUB, VERIHUBS_TIME_LIMIT_SECONDS: '120', VERIHUBS_WHATSAPP_LANG_CODE: 'en_US' },
    );
    expect(resolved.verihubs).toMatchObject({
      template: 'Kode Anda: $OTP',
      timeLimitSeconds: 120,
      whatsapp: { templateName: 'otp_template', langCode: 'en_US' },
      callback: { url: 'https://api.example.com/hooks/verihubs', path: '/hooks/verihubs' },
    });
  });

  it('refuses a provider named but not configured, and half of the Verihubs credentials', () => {
    expect(problems({ providers: ['verihubs', 'verifynow'] }, NOW)).toEqual([
      'providers (VERIFYNOW_PROVIDERS) names verihubs, which is not configured: set verihubs.appId (VERIHUBS_APP_ID) and verihubs.apiKey (VERIHUBS_API_KEY)',
    ]);
    expect(problems({}, { ...NOW, VERIHUBS_APP_ID: 'app-123' })).toEqual([
      'verihubs.appId (VERIHUBS_APP_ID) and verihubs.apiKey (VERIHUBS_API_KEY) go together: set both',
    ]);
  });

  it("says what is wrong with a named provider's credentials, not that it is not configured", () => {
    const env = { ...NOW, VERIHUBS_APP_ID: 'app-123', VERIHUBS_API_KEY: 'short' };
    expect(problems({ providers: ['verihubs'] }, env)).toEqual([
      'verihubs.apiKey (VERIHUBS_API_KEY) must be your Verihubs API key, at least 8 characters without spaces',
    ]);
    expect(
      problems({ providers: ['verihubs'] }, { ...NOW, VERIHUBS_API_KEY: 'hub-secret-key-42' }),
    ).toEqual([
      'verihubs.appId (VERIHUBS_APP_ID) and verihubs.apiKey (VERIHUBS_API_KEY) go together: set both',
    ]);
    expect(problems({ providers: ['verifynow'] }, { VERIFYNOW_CUSTOMER_ID: 'C-1' })).toEqual([
      expect.not.stringContaining('which is not configured'),
    ]);
  });

  it('says what is wrong with each bad Verihubs value, never echoing the API key', () => {
    const found = problems(
      { verihubs: { template: 'no placeholder', timeLimitSeconds: 5 } },
      { ...HUB, VERIHUBS_API_KEY: 'short', VERIFYNOW_PROVIDERS: 'twilio' },
    );
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringContaining('verihubs.template (VERIHUBS_TEMPLATE) must be a text'),
        expect.stringContaining('verihubs.timeLimitSeconds (VERIHUBS_TIME_LIMIT_SECONDS) must be'),
        'verihubs.apiKey (VERIHUBS_API_KEY) must be your Verihubs API key, at least 8 characters without spaces',
        expect.stringContaining('providers (VERIFYNOW_PROVIDERS) must list providers'),
      ]),
    );
    expect(found.join('\n')).not.toContain('short');
  });

  it('serves both from the sandbox, VerifyNow alone unless providers names more', () => {
    const env = { NODE_ENV: 'test' };
    expect(resolveVerifyNowOptions({}, env).providers).toEqual(['verifynow']);
    const both = resolveVerifyNowOptions({ providers: ['verihubs', 'verifynow'] }, env);
    expect(both.mode).toBe('sandbox');
    expect(both.verihubs).toMatchObject(VERIHUBS_SANDBOX_CREDENTIALS);
  });

  it('refuses the sandbox beside live Verihubs credentials', () => {
    expect(problems({ sandbox: true }, { ...HUB, NODE_ENV: 'test' })).toEqual([
      expect.stringContaining(
        'live credentials (verihubs.appId (VERIHUBS_APP_ID), verihubs.apiKey (VERIHUBS_API_KEY))',
      ),
    ]);
  });
});
