import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import {
  OtpStepUpException,
  RequireOtp,
  ValidateOtpInput,
  VerifyNowModule,
  VerifyNowSandbox,
  VerifyNowService,
  VerifyNowStore,
} from '../lib';
import { OTP_HTTP_PROVIDERS } from '../sample/src/app.module';
import { OtpController } from '../sample/src/otp.controller';
import { CapturingLogger } from './helpers/capturing-logger';
import { postJson } from './helpers/http';
import { PLATFORMS } from './helpers/otp-app';
import {
  Answer,
  AuthModule,
  COMBOS,
  FixtureApp,
  HandlerRuns,
  Proof,
  boot,
  challenge,
  codeOf,
  moduleOptions,
  newPhone,
  sends,
  startSandbox,
  validations,
  wrongCode,
} from './helpers/step-up-fixtures';
import type { SignedInRequest } from './helpers/step-up-fixtures';

const logger = new CapturingLogger();

/** The default purpose of the guarded route below. */
const TRANSFER_PURPOSE = 'POST /account/transfer (AccountController.transfer)';

@Controller('account')
class AccountController {
  constructor(private readonly runs: HandlerRuns) {}

  @RequireOtp()
  @Post('transfer')
  @HttpCode(200)
  transfer(@Req() request: SignedInRequest) {
    this.runs.record('transfer', request);
    return { status: 'transferred' };
  }
}

/**
 * An open endpoint written carelessly: the body goes to the service as it came,
 * without a DTO (so a `purpose`, or anything else, passes through).
 */
@Controller('loose')
class LooseOtpController {
  constructor(private readonly verifyNow: VerifyNowService) {}

  @Post('send')
  @HttpCode(200)
  send(@Body() body: Record<string, unknown>) {
    return this.verifyNow.sendOtp(body);
  }

  @Post('verify')
  @HttpCode(200)
  verify(@Body() body: Record<string, unknown>) {
    return this.verifyNow.validateOtp(body as unknown as ValidateOtpInput);
  }
}

/** A random id of the upstream's shape that this application never issued. */
function randomId(): string {
  return String(randomInt(1, 2 ** 47));
}

describe.each(COMBOS)(
  'open /otp endpoints beside @RequireOtp() (%s store on %s)',
  (kind, platform) => {
    let sandbox: VerifyNowSandbox;
    let app: FixtureApp;
    let service: VerifyNowService;
    let runs: HandlerRuns;

    beforeAll(async () => {
      ({ sandbox } = await startSandbox());
      app = await boot(
        {
          imports: [VerifyNowModule.forRoot(moduleOptions(sandbox, kind)), AuthModule],
          controllers: [OtpController, LooseOtpController, AccountController],
          providers: [HandlerRuns, ...OTP_HTTP_PROVIDERS],
        },
        { platform, logger },
      );
      service = app.app.get(VerifyNowService);
      runs = app.app.get(HandlerRuns);
    });
    afterAll(async () => {
      await app?.close();
      await sandbox?.close();
    });

    const store = (): VerifyNowStore => app.app.get<VerifyNowStore>(VerifyNowStore);
    const post = (path: string, body: unknown): Promise<Answer> => app.call(path, { body });

    /** A victim with a step-up code pending for the transfer. */
    async function victimWithPendingTransfer(): Promise<{ phone: string; proof: Proof }> {
      const phone = newPhone();
      return { phone, proof: await challenge(app, sandbox, '/account/transfer', phone) };
    }

    async function victimStillProves(phone: string, proof: Proof): Promise<void> {
      expect(await store().get(proof.verificationId)).toMatchObject({
        failedAttempts: 0,
        state: 'open',
      });
      const passed = await app.call('/account/transfer', { phone, proof });
      expect([passed.status, passed.body]).toEqual([200, { status: 'transferred' }]);
      expect(runs.count('transfer', phone)).toBe(1);
    }

    describe('a step-up verification is out of reach of validateOtp()', () => {
      it('6 wrong codes for it at /otp/verify: all refused as unknown, no upstream call, nothing counted', async () => {
        const { phone, proof } = await victimWithPendingTransfer();
        const validatesBefore = validations(sandbox);
        for (let i = 0; i < 6; i += 1) {
          const attempt = await post('/otp/verify', {
            verificationId: proof.verificationId,
            code: wrongCode(proof.code),
          });
          expect([attempt.status, attempt.body.error]).toEqual([401, 'OTP_UNKNOWN']);
        }
        expect(validations(sandbox)).toBe(validatesBefore);
        await victimStillProves(phone, proof);
      });

      it('the right code at /otp/verify does not spend it either', async () => {
        const { phone, proof } = await victimWithPendingTransfer();
        const validatesBefore = validations(sandbox);
        const phished = await post('/otp/verify', proof);
        expect([phished.status, phished.body.error]).toEqual([401, 'OTP_UNKNOWN']);
        const numericId = await post('/otp/verify', {
          verificationId: Number(proof.verificationId),
          code: proof.code,
        });
        expect([numericId.status, numericId.body.error]).toEqual([401, 'OTP_UNKNOWN']);
        expect(validations(sandbox)).toBe(validatesBefore);
        await victimStillProves(phone, proof);
      });

      it('a body passed through with the step-up purpose (and stepUp: true) is refused the same way', async () => {
        const { phone, proof } = await victimWithPendingTransfer();
        const validatesBefore = validations(sandbox);
        const bodies = [
          {
            verificationId: proof.verificationId,
            code: wrongCode(proof.code),
            purpose: TRANSFER_PURPOSE,
          },
          { ...proof, purpose: TRANSFER_PURPOSE },
          { ...proof, purpose: TRANSFER_PURPOSE, stepUp: true },
          { ...proof, purpose: null },
          { ...proof, purpose: '' },
          { ...proof, purpose: { toString: () => TRANSFER_PURPOSE } },
        ];
        for (let i = 0; i < 6; i += 1) {
          for (const body of bodies) {
            const attempt = await post('/loose/verify', body);
            expect(attempt.status).toBeGreaterThanOrEqual(400);
            expect(attempt.status).not.toBe(200);
          }
        }
        const probe = await post('/loose/verify', { ...proof, purpose: TRANSFER_PURPOSE });
        expect([probe.status, probe.body.error]).toEqual([401, 'OTP_UNKNOWN']);
        expect(validations(sandbox)).toBe(validatesBefore);
        await victimStillProves(phone, proof);
      });

      it('the service itself refuses it, whatever purpose is passed', async () => {
        const { phone, proof } = await victimWithPendingTransfer();
        const validatesBefore = validations(sandbox);
        for (const purpose of [undefined, TRANSFER_PURPOSE, 'anything']) {
          await expect(service.validateOtp({ ...proof, purpose })).rejects.toMatchObject({
            codeName: 'OTP_UNKNOWN',
          });
        }
        expect(validations(sandbox)).toBe(validatesBefore);
        await victimStillProves(phone, proof);
      });

      it('cannot be probed: pending, spent or never issued, the answer is the same', async () => {
        const { phone, proof } = await victimWithPendingTransfer();
        const pending = await post('/otp/verify', proof);
        expect((await app.call('/account/transfer', { phone, proof })).status).toBe(200);
        const spent = await post('/otp/verify', proof);
        const never = await post('/otp/verify', { verificationId: randomId(), code: proof.code });
        expect(pending.status).toBe(401);
        expect(spent).toMatchObject({ status: pending.status, body: pending.body });
        expect(never).toMatchObject({ status: pending.status, body: pending.body });
      });
    });

    describe('ids this application did not issue', () => {
      it('are refused as unknown, saying so, without an upstream call or a ledger entry', async () => {
        const validatesBefore = validations(sandbox);
        const id = randomId();
        const answer = await post('/otp/verify', { verificationId: id, code: '123456' });
        expect(answer.status).toBe(401);
        expect(answer.body).toEqual({
          statusCode: 401,
          error: 'OTP_UNKNOWN',
          responseCode: null,
          message: expect.stringMatching(/not issued here/),
        });
        await expect(service.validateOtp({ verificationId: id, code: '123456' })).rejects.toThrow(
          OtpStepUpException,
        );
        expect(await store().get(id)).toBeUndefined();
        expect(validations(sandbox)).toBe(validatesBefore);
      });

      it('400 concurrent validations of random ids: zero upstream calls', async () => {
        const validatesBefore = validations(sandbox);
        const ids = Array.from({ length: 400 }, randomId);
        const answers = await Promise.all(
          ids.map((verificationId) =>
            postJson(`${app.url}/otp/verify`, { verificationId, code: '654321' }),
          ),
        );
        const errors = new Set(answers.map((answer) => `${answer.status} ${answer.body.error}`));
        expect([...errors]).toEqual(['401 OTP_UNKNOWN']);
        expect(validations(sandbox)).toBe(validatesBefore);
        expect(await store().get(ids[0])).toBeUndefined();
      });

      it('a verification sent past the module (straight to the upstream) is unknown too', async () => {
        const phone = newPhone();
        const tokenAnswer = await fetch(
          `${sandbox.url}/auth/v1/authentication/token?customerId=${encodeURIComponent(
            moduleOptions(sandbox, 'memory').customerId as string,
          )}&key=${encodeURIComponent(
            Buffer.from(moduleOptions(sandbox, 'memory').password as string).toString('base64'),
          )}`,
        );
        const token = ((await tokenAnswer.json()) as { token: string }).token;
        const sent = await fetch(
          `${sandbox.url}/verification/v3/send?countryCode=91&mobileNumber=${phone.slice(3)}&flowType=SMS`,
          { method: 'POST', headers: { authToken: token } },
        );
        const verificationId = ((await sent.json()) as { data: { verificationId: string } }).data
          .verificationId;
        const validatesBefore = validations(sandbox);
        const answer = await post('/otp/verify', {
          verificationId,
          code: codeOf(sandbox, phone, verificationId),
        });
        expect([answer.status, answer.body.error]).toEqual([401, 'OTP_UNKNOWN']);
        expect(validations(sandbox)).toBe(validatesBefore);
      });
    });

    describe('plain verifications and their purposes', () => {
      it('a verification sent for a purpose validates only with that same purpose', async () => {
        const phone = newPhone();
        const sent = await service.sendOtp({ phoneNumber: phone, purpose: 'email-change' });
        const code = codeOf(sandbox, phone, sent.verificationId);
        const validatesBefore = validations(sandbox);
        for (const purpose of [undefined, 'password-reset', 'EMAIL-CHANGE', 'email-change ']) {
          await expect(
            service.validateOtp({ verificationId: sent.verificationId, code, purpose }),
          ).rejects.toMatchObject({ codeName: 'OTP_UNKNOWN' });
        }
        const unmarked = await post('/otp/verify', { verificationId: sent.verificationId, code });
        expect([unmarked.status, unmarked.body.error]).toEqual([401, 'OTP_UNKNOWN']);
        expect(validations(sandbox)).toBe(validatesBefore);
        const result = await service.validateOtp({
          verificationId: sent.verificationId,
          code,
          purpose: 'email-change',
        });
        expect(result.status).toBe('VERIFICATION_COMPLETED');
        expect(validations(sandbox) - validatesBefore).toBe(1);
      });

      it('a verification sent without a purpose does not validate with one', async () => {
        const phone = newPhone();
        const sent = await post('/otp/send', { phoneNumber: phone });
        expect(sent.status).toBe(200);
        const verificationId = sent.body.verificationId as string;
        const code = codeOf(sandbox, phone, verificationId);
        const validatesBefore = validations(sandbox);
        await expect(
          service.validateOtp({ verificationId, code, purpose: 'email-change' }),
        ).rejects.toMatchObject({ codeName: 'OTP_UNKNOWN' });
        expect(validations(sandbox)).toBe(validatesBefore);
        const passed = await post('/otp/verify', { verificationId, code });
        expect(passed.status).toBe(200);
      });

      it('wrong codes count in the ledger: the 6th is 429 OTP_TOO_MANY_ATTEMPTS without an upstream call, even when right', async () => {
        const phone = newPhone();
        const sent = await post('/otp/send', { phoneNumber: phone });
        const verificationId = sent.body.verificationId as string;
        const code = codeOf(sandbox, phone, verificationId);
        const validatesBefore = validations(sandbox);
        for (let i = 0; i < 5; i += 1) {
          const wrong = await post('/otp/verify', { verificationId, code: wrongCode(code) });
          expect([wrong.status, wrong.body.error]).toEqual([401, 'WRONG_OTP_PROVIDED']);
        }
        expect(await store().get(verificationId)).toMatchObject({ failedAttempts: 5 });
        expect(validations(sandbox) - validatesBefore).toBe(5);
        for (const attempt of [wrongCode(code), code]) {
          const sixth = await post('/otp/verify', { verificationId, code: attempt });
          expect([sixth.status, sixth.body.error]).toEqual([429, 'OTP_TOO_MANY_ATTEMPTS']);
        }
        await expect(service.validateOtp({ verificationId, code })).rejects.toMatchObject({
          codeName: 'OTP_TOO_MANY_ATTEMPTS',
        });
        expect(validations(sandbox) - validatesBefore).toBe(5);
      });

      it('a plain verification never passes the guard, even with the right code and the step-up purpose', async () => {
        const phone = newPhone();
        const plain = await post('/otp/send', { phoneNumber: phone });
        expect(plain.status).toBe(200);
        const proof = {
          verificationId: plain.body.verificationId as string,
          code: codeOf(sandbox, phone, plain.body.verificationId as string),
        };
        const validatesBefore = validations(sandbox);
        const refused = await app.call('/account/transfer', { phone, proof });
        expect([refused.status, refused.body.error]).toEqual([403, 'OTP_PURPOSE_MISMATCH']);

        const other = newPhone();
        const forged = await post('/loose/send', { phoneNumber: other, purpose: TRANSFER_PURPOSE });
        expect(forged.status).toBe(200);
        const forgedProof = {
          verificationId: forged.body.verificationId as string,
          code: codeOf(sandbox, other, forged.body.verificationId as string),
        };
        const alsoRefused = await app.call('/account/transfer', {
          phone: other,
          proof: forgedProof,
        });
        expect([alsoRefused.status, alsoRefused.body.error]).toEqual([403, 'OTP_PURPOSE_MISMATCH']);
        // Nor does the victim's next challenge get the forged verification handed back.
        const challenged = await app.call('/account/transfer', { phone: other });
        expect([challenged.status, challenged.body.error]).toEqual([409, 'OTP_CHALLENGE_PENDING']);
        expect(challenged.body.verificationId).toBeUndefined();
        expect(validations(sandbox)).toBe(validatesBefore);
        expect(runs.count('transfer', phone) + runs.count('transfer', other)).toBe(0);
      });
    });

    describe('sends while a step-up code is pending (requirement 6)', () => {
      it('sendOtp({ phoneNumber }) is refused with OTP_CHALLENGE_PENDING, and the pending id is not returned', async () => {
        const { phone, proof } = await victimWithPendingTransfer();
        let refusal: unknown;
        try {
          await service.sendOtp({ phoneNumber: phone });
        } catch (error) {
          refusal = error;
        }
        expect(refusal).toBeInstanceOf(OtpStepUpException);
        const exception = refusal as OtpStepUpException;
        expect(exception.codeName).toBe('OTP_CHALLENGE_PENDING');
        expect(exception.getStatus()).toBe(409);
        expect(exception.retryAfterSeconds).toBeGreaterThanOrEqual(1);
        expect(JSON.stringify(exception.getResponse())).not.toContain(proof.verificationId);
        expect(exception.message).not.toContain(proof.verificationId);
        await victimStillProves(phone, proof);
      });

      it('the open /otp/send answers 409 with Retry-After, no id; with the step-up purpose passed through too', async () => {
        const { phone, proof } = await victimWithPendingTransfer();
        const sendsBefore = sends(sandbox);
        for (const [path, body] of [
          ['/otp/send', { phoneNumber: phone }],
          ['/loose/send', { phoneNumber: phone }],
          ['/loose/send', { phoneNumber: phone, purpose: TRANSFER_PURPOSE }],
          ['/loose/send', { phoneNumber: phone, purpose: TRANSFER_PURPOSE, stepUp: true }],
        ] as const) {
          const answer = await post(path, body);
          expect([path, answer.status, answer.body.error]).toEqual([
            path,
            409,
            'OTP_CHALLENGE_PENDING',
          ]);
          expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
          expect(JSON.stringify(answer.body)).not.toContain(proof.verificationId);
        }
        expect(sandbox.outbox(phone)).toHaveLength(1);
        expect(sends(sandbox) - sendsBefore).toBe(4);
        await victimStillProves(phone, proof);
      });

      it('a plain code pending for the number: the step-up challenge gets 409 with Retry-After, not its id', async () => {
        const phone = newPhone();
        const plain = await post('/otp/send', { phoneNumber: phone });
        expect(plain.status).toBe(200);
        const answer = await app.call('/account/transfer', { phone });
        expect([answer.status, answer.body.error]).toEqual([409, 'OTP_CHALLENGE_PENDING']);
        expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(JSON.stringify(answer.body)).not.toContain(plain.body.verificationId as string);
        // The plain code still validates where it belongs.
        const code = codeOf(sandbox, phone, plain.body.verificationId as string);
        const passed = await post('/otp/verify', {
          verificationId: plain.body.verificationId,
          code,
        });
        expect(passed.status).toBe(200);
      });
    });
  },
);

describe.each(PLATFORMS)("an open /otp/send flooded with a user's number (%s)", (platform) => {
  it('uses up the quota of plain sends, never the one their step-up needs', async () => {
    const { sandbox, clock } = await startSandbox();
    const options = moduleOptions(sandbox, 'memory');
    const app = await boot(
      {
        imports: [
          VerifyNowModule.forRoot({
            ...options,
            limits: {
              perClientIp: { limit: 10_000, ttlSeconds: 3600 },
              perPhoneNumber: { limit: 2, ttlSeconds: 600 },
            },
          }),
          AuthModule,
        ],
        controllers: [OtpController, AccountController],
        providers: [HandlerRuns, ...OTP_HTTP_PROVIDERS],
      },
      { platform, logger },
    );
    try {
      const phone = newPhone();
      for (let i = 0; i < 2; i += 1) {
        const sent = await app.call('/otp/send', { body: { phoneNumber: phone } });
        expect(sent.status).toBe(200);
        clock.offsetMs += 61_000; // the plain code expires: nothing pending any more
      }
      const refused = await app.call('/otp/send', { body: { phoneNumber: phone } });
      expect([refused.status, refused.body.error]).toEqual([429, 'TOO_MANY_OTP_REQUESTS']);

      const challenged = await app.call('/account/transfer', { phone });
      expect([challenged.status, challenged.body.error]).toEqual([401, 'OTP_REQUIRED']);
      const proof = {
        verificationId: challenged.body.verificationId as string,
        code: codeOf(sandbox, phone, challenged.body.verificationId as string),
      };
      const passed = await app.call('/account/transfer', { phone, proof });
      expect(passed.status).toBe(200);
    } finally {
      await app.close();
      await sandbox.close();
    }
  });
});
