import { fuzzRuns } from '../../test/helpers/fuzz';
import fc from 'fast-check';
import { VerifyNowConfigurationError } from '../errors/verifynow-configuration.error';
import { VERIFYNOW_FLOW_TYPES } from './verifynow-config.constants';
import { VERIFYNOW_ENV_VARS } from './verifynow-env';
import { resolveVerifyNowOptions } from './verifynow-options.resolver';

/** A password no message could contain by chance. */
const secret = fc.stringMatching(/^[a-f0-9]{16}$/).map((hex) => `S3cr3t-${hex}`);
const value = fc.oneof(
  fc.anything(),
  fc.integer({ min: -5, max: 400_000 }),
  fc.integer({ min: -5, max: 400_000 }).map(String),
  fc.constantFrom(
    'v2',
    'v3',
    'V2',
    'sms',
    'WHATSAPP',
    'true',
    'false',
    'https://verify.example.com',
    'redis://x',
    'IN,ID',
  ),
);
const envValue = fc.oneof(
  fc.string(),
  fc.integer({ min: -5, max: 400_000 }).map(String),
  fc.constantFrom(
    'v2',
    'V3',
    'sms',
    'true',
    'no',
    'production',
    ' Production ',
    'development',
    'test',
    'https://verify.example.com',
    'redis://x',
    'IN,ID',
    ' ',
  ),
);
const env = fc.dictionary(
  fc.constantFrom(...Object.values(VERIFYNOW_ENV_VARS), 'NODE_ENV'),
  envValue,
);

describe('option validation under arbitrary options', () => {
  it('returns consistent options or throws VerifyNowConfigurationError, never echoing a secret', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            customerId: value,
            password: fc.oneof(secret, value),
            key: value,
            authToken: value,
            baseUrl: fc.oneof(
              value,
              secret.map((password) => `https://ops:${password}@verify.example.com`),
            ),
            apiVersion: value,
            defaultCountryCode: value,
            defaultFlowType: value,
            otpLength: value,
            timeoutMs: value,
            sandbox: value,
            maxRequestsPerSecond: value,
            circuitBreaker: value,
            guard: value,
            limits: value,
          },
          { requiredKeys: [] },
        ),
        env,
        (options, variables) => {
          let resolved: ReturnType<typeof resolveVerifyNowOptions>;
          try {
            resolved = resolveVerifyNowOptions(options as never, variables);
          } catch (error) {
            expect(error).toBeInstanceOf(VerifyNowConfigurationError);
            const message = (error as Error).message;
            for (const text of [options.password, options.baseUrl]) {
              const planted = typeof text === 'string' ? /S3cr3t-[a-f0-9]{16}/.exec(text) : null;
              if (planted) {
                expect(message).not.toContain(planted[0]);
              }
            }
            return;
          }
          // The sandbox never runs in production, nor beside live credentials.
          const nodeEnv = (variables.NODE_ENV ?? '').trim().toLowerCase();
          if (resolved.mode === 'sandbox') {
            expect(nodeEnv).not.toBe('production');
            for (const option of ['customerId', 'password', 'key', 'authToken'] as const) {
              const fromCode = options[option];
              expect(fromCode === undefined || fromCode === null).toBe(true);
              expect((variables[VERIFYNOW_ENV_VARS[option]] ?? '').trim()).toBe('');
            }
            if (resolved.sandboxReason === 'no-credentials') {
              expect(['development', 'test']).toContain(nodeEnv);
            }
          }
          expect(
            Number.isInteger(resolved.otpLength) &&
              resolved.otpLength >= 4 &&
              resolved.otpLength <= 8,
          ).toBe(true);
          expect(Number.isInteger(resolved.timeoutMs) && resolved.timeoutMs >= 1).toBe(true);
          expect(['v2', 'v3']).toContain(resolved.apiVersion);
          expect(VERIFYNOW_FLOW_TYPES).toContain(resolved.defaultFlowType);
          expect(resolved.baseUrl).toMatch(/^https?:\/\//);
          if (resolved.providers.includes('verifynow')) {
            expect(['key', 'token']).toContain(resolved.credentials?.type);
          }
          expect(
            Number.isInteger(resolved.maxRequestsPerSecond) && resolved.maxRequestsPerSecond >= 0,
          ).toBe(true);
        },
      ),
      { numRuns: fuzzRuns(1500) },
    );
  });
});
