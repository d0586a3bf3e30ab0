import {
  AlreadyVerifiedException,
  DuplicateResourceException,
  InvalidCountryCodeException,
  InvalidCustomerIdException,
  InvalidVerificationIdException,
  MaximumLimitReachedException,
  RequestAlreadyExistsException,
  ServerErrorException,
  VerificationExpiredException,
  VerificationFailedException,
  VerifyNowAuthenticationException,
  VerifyNowBadRequestException,
  VerifyNowException,
  VerifyNowModule,
  VerifyNowRateLimitException,
  VerifyNowResponseCode,
  VerifyNowUnavailableException,
  VerifyNowUnknownResponseException,
  WrongOtpProvidedException,
  OtpStepUpException,
  exceptionForResponseCode,
} from '../lib';
import { OtpApp, PLATFORMS, startOtpApp } from './helpers/otp-app';
import { recordSent } from './helpers/verifynow-context';

type ExceptionClass = abstract new (...args: never[]) => VerifyNowException;

interface Case {
  /** What the magic number stands for. */
  name: string;
  phoneNumber: string;
  /** HTTP status the app answers with. */
  status: number;
  /** The body's `error`. */
  error: string;
  /** The body's `responseCode`. */
  responseCode: number | null;
  /** What `VerifyNowService` throws. */
  exception: ExceptionClass;
  retryAfter?: string;
}

/** Sends to these numbers fail at once with the given answer. */
const SEND_CASES: Case[] = [
  {
    name: 'seed 400 invalid msisdn',
    phoneNumber: '+6282123060002',
    status: 400,
    error: 'BAD_REQUEST',
    responseCode: 400,
    exception: VerifyNowBadRequestException,
  },
  {
    name: 'seed 401 invalid header',
    phoneNumber: '+6282123060003',
    status: 500,
    error: 'INTERNAL_SERVER_ERROR',
    responseCode: null,
    exception: VerifyNowAuthenticationException,
  },
  {
    name: 'seed 403 quota exhausted',
    phoneNumber: '+6282123060004',
    status: 500,
    error: 'INTERNAL_SERVER_ERROR',
    responseCode: null,
    exception: VerifyNowAuthenticationException,
  },
  {
    name: 'seed 409 blocked number',
    phoneNumber: '+6282123060005',
    status: 409,
    error: 'DUPLICATE_RESOURCE',
    responseCode: 409,
    exception: DuplicateResourceException,
  },
  {
    name: 'seed 429 too many requests',
    phoneNumber: '+6282123060006',
    status: 429,
    error: 'UPSTREAM_RATE_LIMITED',
    responseCode: null,
    exception: VerifyNowRateLimitException,
    retryAfter: '30',
  },
  {
    name: '400 BAD_REQUEST',
    phoneNumber: '+6282123061400',
    status: 400,
    error: 'BAD_REQUEST',
    responseCode: 400,
    exception: VerifyNowBadRequestException,
  },
  {
    name: '409 DUPLICATE_RESOURCE',
    phoneNumber: '+6282123061409',
    status: 409,
    error: 'DUPLICATE_RESOURCE',
    responseCode: 409,
    exception: DuplicateResourceException,
  },
  {
    name: '500 SERVER_ERROR',
    phoneNumber: '+6282123061500',
    status: 502,
    error: 'SERVER_ERROR',
    responseCode: 500,
    exception: ServerErrorException,
  },
  {
    name: '501 INVALID_CUSTOMER_ID',
    phoneNumber: '+6282123061501',
    status: 500,
    error: 'INTERNAL_SERVER_ERROR',
    responseCode: null,
    exception: InvalidCustomerIdException,
  },
  {
    name: '505 INVALID_VERIFICATION_ID',
    phoneNumber: '+6282123061505',
    status: 404,
    error: 'INVALID_VERIFICATION_ID',
    responseCode: 505,
    exception: InvalidVerificationIdException,
  },
  {
    name: '506 REQUEST_ALREADY_EXISTS without an id',
    phoneNumber: '+6282123061506',
    status: 409,
    error: 'REQUEST_ALREADY_EXISTS',
    responseCode: 506,
    exception: RequestAlreadyExistsException,
  },
  {
    name: '511 INVALID_COUNTRY_CODE',
    phoneNumber: '+6282123061511',
    status: 400,
    error: 'INVALID_COUNTRY_CODE',
    responseCode: 511,
    exception: InvalidCountryCodeException,
  },
  {
    name: '700 VERIFICATION_FAILED',
    phoneNumber: '+6282123061700',
    status: 401,
    error: 'VERIFICATION_FAILED',
    responseCode: 700,
    exception: VerificationFailedException,
  },
  {
    name: '702 WRONG_OTP_PROVIDED',
    phoneNumber: '+6282123061702',
    status: 401,
    error: 'WRONG_OTP_PROVIDED',
    responseCode: 702,
    exception: WrongOtpProvidedException,
  },
  {
    name: '703 ALREADY_VERIFIED',
    phoneNumber: '+6282123061703',
    status: 409,
    error: 'ALREADY_VERIFIED',
    responseCode: 703,
    exception: AlreadyVerifiedException,
  },
  {
    name: '705 VERIFICATION_EXPIRED',
    phoneNumber: '+6282123061705',
    status: 410,
    error: 'VERIFICATION_EXPIRED',
    responseCode: 705,
    exception: VerificationExpiredException,
  },
  {
    name: '800 MAXIMUM_LIMIT_REACHED',
    phoneNumber: '+6282123061800',
    status: 429,
    error: 'MAXIMUM_LIMIT_REACHED',
    responseCode: 800,
    exception: MaximumLimitReachedException,
    retryAfter: '60',
  },
  {
    name: 'an undocumented code',
    phoneNumber: '+6282123061999',
    status: 502,
    error: 'UNKNOWN_RESPONSE',
    responseCode: 999,
    exception: VerifyNowUnknownResponseException,
  },
  {
    name: 'SUCCESS with data: null',
    phoneNumber: '+6282123061200',
    status: 502,
    error: 'UNKNOWN_RESPONSE',
    responseCode: 200,
    exception: VerifyNowUnknownResponseException,
  },
  {
    name: 'an HTML Whitelabel Error Page (HTTP 500)',
    phoneNumber: '+6282123069500',
    status: 503,
    error: 'UPSTREAM_UNAVAILABLE',
    responseCode: null,
    exception: VerifyNowUnavailableException,
  },
  {
    name: 'an HTML page with HTTP 200',
    phoneNumber: '+6282123069200',
    status: 503,
    error: 'UPSTREAM_UNAVAILABLE',
    responseCode: null,
    exception: VerifyNowUnavailableException,
  },
];

/** Sends to these numbers succeed; validating them gives the answer. */
const VALIDATE_CASES: Case[] = [
  {
    name: '400 BAD_REQUEST',
    phoneNumber: '+6282123062400',
    status: 400,
    error: 'BAD_REQUEST',
    responseCode: 400,
    exception: VerifyNowBadRequestException,
  },
  {
    name: '500 SERVER_ERROR',
    phoneNumber: '+6282123062500',
    status: 502,
    error: 'SERVER_ERROR',
    responseCode: 500,
    exception: ServerErrorException,
  },
  {
    name: '505 INVALID_VERIFICATION_ID',
    phoneNumber: '+6282123062505',
    status: 404,
    error: 'INVALID_VERIFICATION_ID',
    responseCode: 505,
    exception: InvalidVerificationIdException,
  },
  {
    name: '700 VERIFICATION_FAILED',
    phoneNumber: '+6282123062700',
    status: 401,
    error: 'VERIFICATION_FAILED',
    responseCode: 700,
    exception: VerificationFailedException,
  },
  {
    name: '702 WRONG_OTP_PROVIDED',
    phoneNumber: '+6282123062702',
    status: 401,
    error: 'WRONG_OTP_PROVIDED',
    responseCode: 702,
    exception: WrongOtpProvidedException,
  },
  {
    name: '703 ALREADY_VERIFIED',
    phoneNumber: '+6282123062703',
    status: 409,
    error: 'ALREADY_VERIFIED',
    responseCode: 703,
    exception: AlreadyVerifiedException,
  },
  {
    name: '705 VERIFICATION_EXPIRED',
    phoneNumber: '+6282123062705',
    status: 410,
    error: 'VERIFICATION_EXPIRED',
    responseCode: 705,
    exception: VerificationExpiredException,
  },
  {
    name: '800 MAXIMUM_LIMIT_REACHED',
    phoneNumber: '+6282123062800',
    status: 429,
    error: 'MAXIMUM_LIMIT_REACHED',
    responseCode: 800,
    exception: MaximumLimitReachedException,
    retryAfter: '60',
  },
  {
    name: 'an undocumented code',
    phoneNumber: '+6282123062998',
    status: 502,
    error: 'UNKNOWN_RESPONSE',
    responseCode: 998,
    exception: VerifyNowUnknownResponseException,
  },
  {
    name: 'an HTML Whitelabel Error Page (HTTP 500)',
    phoneNumber: '+6282123068500',
    status: 503,
    error: 'UPSTREAM_UNAVAILABLE',
    responseCode: null,
    exception: VerifyNowUnavailableException,
  },
  {
    name: 'an HTML page with HTTP 404',
    phoneNumber: '+6282123068404',
    status: 503,
    error: 'UPSTREAM_UNAVAILABLE',
    responseCode: null,
    exception: VerifyNowUnavailableException,
  },
];

describe.each(PLATFORMS)('every upstream answer through the HTTP app (%s)', (platform) => {
  let otp: OtpApp;

  beforeAll(async () => {
    // More than 20 sends from one address: the per-IP limit has a spec of its own.
    otp = await startOtpApp(
      VerifyNowModule.forRoot({ sandbox: true, limits: { perClientIp: false } }),
      { platform },
    );
  });
  afterAll(() => otp.close());

  it('sends and verifies a code (seed number 6282123060001 answers HTTP 201)', async () => {
    const sent = await otp.post('/otp/send', { phoneNumber: '+6282123060001' });
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({
      verificationId: expect.stringMatching(/^\d+$/),
      phoneNumber: '+*********0001',
      flowType: 'SMS',
      expiresIn: 60,
      alreadyPending: false,
    });
    const code = otp.sandbox!.latestCode('+6282123060001')!;
    expect(code).toMatch(/^\d{6}$/);
    const verified = await otp.post('/otp/verify', {
      verificationId: sent.body.verificationId,
      code,
    });
    expect(verified.status).toBe(200);
    expect(verified.body).toEqual({
      verificationId: sent.body.verificationId,
      status: 'VERIFICATION_COMPLETED',
    });
  });

  it.each(SEND_CASES)('send: $name → HTTP $status $error', async (testCase) => {
    const answer = await otp.post('/otp/send', { phoneNumber: testCase.phoneNumber });
    expect(answer.status).toBe(testCase.status);
    expect(answer.body).toEqual({
      statusCode: testCase.status,
      error: testCase.error,
      responseCode: testCase.responseCode,
      message: expect.any(String),
    });
    expect(answer.headers.get('retry-after')).toBe(testCase.retryAfter ?? null);
  });

  it.each(VALIDATE_CASES)('validate: $name → HTTP $status $error', async (testCase) => {
    const sent = await otp.post('/otp/send', { phoneNumber: testCase.phoneNumber });
    expect(sent.status).toBe(200);
    const code = otp.sandbox!.latestCode(testCase.phoneNumber)!;
    const answer = await otp.post('/otp/verify', {
      verificationId: sent.body.verificationId,
      code,
    });
    expect(answer.status).toBe(testCase.status);
    expect(answer.body).toEqual({
      statusCode: testCase.status,
      error: testCase.error,
      responseCode: testCase.responseCode,
      message: expect.any(String),
    });
    expect(answer.headers.get('retry-after')).toBe(testCase.retryAfter ?? null);
  });
});

describe('every upstream answer through VerifyNowService', () => {
  let otp: OtpApp;

  beforeAll(async () => {
    otp = await startOtpApp(VerifyNowModule.forRoot({ sandbox: true }));
  });
  afterAll(() => otp.close());

  it.each(SEND_CASES)('sendOtp: $name throws $exception.name', async (testCase) => {
    const error = await otp.service
      .sendOtp({ phoneNumber: testCase.phoneNumber })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(testCase.exception);
    const exception = error as VerifyNowException;
    expect(exception.operation).toBe('send');
    if (testCase.responseCode !== null) {
      expect(exception.responseCode).toBe(testCase.responseCode);
    }
  });

  it.each(VALIDATE_CASES)('validateOtp: $name throws $exception.name', async (testCase) => {
    const { verificationId } = await otp.service.sendOtp({ phoneNumber: testCase.phoneNumber });
    const code = otp.sandbox!.latestCode(testCase.phoneNumber)!;
    const error = await otp.service.validateOtp({ verificationId, code }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(testCase.exception);
    expect((error as VerifyNowException).operation).toBe('validate');
  });

  it('keeps the raw code of an undocumented answer', async () => {
    const error = (await otp.service
      .sendOtp({ phoneNumber: '+6282123061987' })
      .catch((e: unknown) => e)) as VerifyNowUnknownResponseException;
    expect(error).toBeInstanceOf(VerifyNowUnknownResponseException);
    expect(error.responseCode).toBe(987);
    expect(error.message).toContain('987');
  });

  describe('natural outcomes of the validation flow', () => {
    const phoneNumber = '+919999900101';
    let verificationId: string;
    let code: string;

    beforeAll(async () => {
      ({ verificationId } = await otp.service.sendOtp({ phoneNumber }));
      code = otp.sandbox!.latestCode(phoneNumber)!;
    });

    it('a wrong code is 702 WRONG_OTP_PROVIDED', async () => {
      const wrong = code === '000000' ? '111111' : '000000';
      await expect(otp.service.validateOtp({ verificationId, code: wrong })).rejects.toBeInstanceOf(
        WrongOtpProvidedException,
      );
    });

    it('a second send while the code is pending returns it with alreadyPending (506)', async () => {
      const again = await otp.service.sendOtp({ phoneNumber });
      expect(again).toMatchObject({ verificationId, alreadyPending: true });
      expect(otp.sandbox!.outbox(phoneNumber)).toHaveLength(1);
    });

    it('the right code completes the verification', async () => {
      await expect(otp.service.validateOtp({ verificationId, code })).resolves.toEqual({
        verificationId,
        mobileNumber: '9999900101',
        status: 'VERIFICATION_COMPLETED',
        transactionId: expect.any(String),
      });
    });

    it('the same code again is 703 ALREADY_VERIFIED: a verification is single-use', async () => {
      await expect(otp.service.validateOtp({ verificationId, code })).rejects.toBeInstanceOf(
        AlreadyVerifiedException,
      );
    });

    it('an id the upstream never issued is 505 INVALID_VERIFICATION_ID', async () => {
      // In the ledger (as if sent by another instance sharing it), unknown upstream.
      await recordSent({ moduleRef: otp.app }, '1');
      await expect(
        otp.service.validateOtp({ verificationId: '1', code: '123456' }),
      ).rejects.toBeInstanceOf(InvalidVerificationIdException);
    });

    it('an id this application never sent is 401 OTP_UNKNOWN, with no upstream call', async () => {
      const before = otp.sandbox!.stats().validate;
      const error = await otp.service
        .validateOtp({ verificationId: '2', code: '123456' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OtpStepUpException);
      expect(error).toMatchObject({ codeName: 'OTP_UNKNOWN' });
      expect((error as Error).message).toContain('shared (Redis) store');
      expect(otp.sandbox!.stats().validate).toBe(before);
    });

    it('tries beyond the limit are 429 OTP_TOO_MANY_ATTEMPTS from the ledger, even with the right code', async () => {
      const target = '+919999900102';
      const sent = await otp.service.sendOtp({ phoneNumber: target });
      const right = otp.sandbox!.latestCode(target)!;
      const wrong = right === '000000' ? '111111' : '000000';
      for (let i = 0; i < 5; i += 1) {
        await expect(
          otp.service.validateOtp({ verificationId: sent.verificationId, code: wrong }),
        ).rejects.toBeInstanceOf(WrongOtpProvidedException);
      }
      const before = otp.sandbox!.stats().validate;
      const error = await otp.service
        .validateOtp({ verificationId: sent.verificationId, code: right })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ codeName: 'OTP_TOO_MANY_ATTEMPTS' });
      expect((error as OtpStepUpException).getStatus()).toBe(429);
      expect(otp.sandbox!.stats().validate).toBe(before);
    });
  });

  it('covers every documented error code', () => {
    const covered = new Set<unknown>(
      [...SEND_CASES, ...VALIDATE_CASES].map((testCase) => testCase.exception),
    );
    const documented = Object.values(VerifyNowResponseCode).filter((code) => code !== 200);
    const missing = documented.filter(
      (code) => !covered.has(exceptionForResponseCode(code).constructor),
    );
    expect(missing).toEqual([]);
  });
});
