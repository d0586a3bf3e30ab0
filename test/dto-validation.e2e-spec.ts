import { VerifyNowModule } from '../lib';
import { OtpApp, PLATFORMS, startOtpApp } from './helpers/otp-app';

describe.each(PLATFORMS)('request validation with the DTOs and ValidationPipe (%s)', (platform) => {
  let otp: OtpApp;

  beforeAll(async () => {
    otp = await startOtpApp(VerifyNowModule.forRoot({ sandbox: true }), { platform });
  });
  afterAll(() => otp.close());

  it.each([
    [
      'no number at all',
      {},
      'phoneNumber must be a valid phone number in E.164 form, e.g. +919999999999 (or give countryCode and mobileNumber)',
    ],
    [
      'a null number',
      { mobileNumber: null },
      'phoneNumber must be a valid phone number in E.164 form, e.g. +919999999999 (or give countryCode and mobileNumber)',
    ],
    [
      'a number that is not E.164',
      { phoneNumber: '99999 99999' },
      'phoneNumber must be a valid phone number in E.164 form, e.g. +919999999999 (or give countryCode and mobileNumber)',
    ],
    [
      'a number that does not exist',
      { phoneNumber: '+10000000000' },
      'phoneNumber must be a valid phone number in E.164 form',
    ],
    [
      'both ways of naming the number',
      { phoneNumber: '+919999999999', mobileNumber: '9999999999' },
      'give either phoneNumber, or countryCode with mobileNumber, not both',
    ],
    [
      'a country code with letters',
      { countryCode: 'IN', mobileNumber: '9999999999' },
      'countryCode must be a dial code of 1 to 4 digits, e.g. 91',
    ],
    [
      'a national number with letters',
      { countryCode: '91', mobileNumber: '99999-ABCDE' },
      'mobileNumber must be 4 to 15 digits without the country code, e.g. 9999999999',
    ],
    [
      'an unknown channel',
      { phoneNumber: '+919999999999', flowType: 'PIGEON' },
      'flowType must be one of SMS, WHATSAPP, RCS, SAUTH',
    ],
    [
      'a code length below 4',
      { phoneNumber: '+919999999999', otpLength: 3 },
      'otpLength must be an integer from 4 to 8',
    ],
    [
      'a code length above 8',
      { phoneNumber: '+919999999999', otpLength: '12' },
      'otpLength must be an integer from 4 to 8',
    ],
    [
      'a code length that is an object whose toString is not a function',
      { phoneNumber: '+919999999999', otpLength: { toString: 0 } },
      'otpLength must be an integer from 4 to 8',
    ],
    [
      'a code length that is not a number',
      { phoneNumber: '+919999999999', otpLength: 'six' },
      'otpLength must be an integer from 4 to 8',
    ],
    [
      'an unknown field',
      { phoneNumber: '+919999999999', template: 'Your code: $OTP' },
      'property template should not exist',
    ],
  ])('send refuses %s with 400 and says what is expected', async (_name, body, message) => {
    const before = otp.sandbox!.stats().send;
    const answer = await otp.post('/otp/send', body);
    expect(answer.status).toBe(400);
    expect(answer.body.message).toEqual(expect.arrayContaining([expect.stringContaining(message)]));
    expect(otp.sandbox!.stats().send).toBe(before);
  });

  it.each([
    [
      'no id',
      { code: '123456' },
      'verificationId must be the id sendOtp returned (letters, digits, _ and -, at most 128)',
    ],
    [
      'an id with a path in it',
      { verificationId: '12/../34', code: '123456' },
      'verificationId must be the id sendOtp returned (letters, digits, _ and -, at most 128)',
    ],
    ['no code', { verificationId: '123' }, 'code must be the 4 to 8 digits the user received'],
    [
      'a code with letters',
      { verificationId: '123', code: '12ab56' },
      'code must be the 4 to 8 digits the user received',
    ],
    [
      'a code too long',
      { verificationId: '123', code: '123456789' },
      'code must be the 4 to 8 digits the user received',
    ],
    [
      'a code sent as a number',
      { verificationId: '123', code: 123456 },
      'code must be the 4 to 8 digits the user received, as a string',
    ],
  ])('verify refuses %s with 400 and says what is expected', async (_name, body, message) => {
    const before = otp.sandbox!.stats().validate;
    const answer = await otp.post('/otp/verify', body);
    expect(answer.status).toBe(400);
    expect(answer.body.message).toEqual(expect.arrayContaining([message]));
    expect(otp.sandbox!.stats().validate).toBe(before);
  });

  it('accepts a national number with its dial code, a lower-case channel and a numeric length', async () => {
    const answer = await otp.post('/otp/send', {
      countryCode: '+91',
      mobileNumber: '9999900401',
      flowType: 'whatsapp',
      otpLength: '4',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ phoneNumber: '+********0401', flowType: 'WHATSAPP' });
    const [message] = otp.sandbox!.outbox('+919999900401');
    expect(message).toMatchObject({ flowType: 'WHATSAPP', code: expect.stringMatching(/^\d{4}$/) });
  });

  it('accepts a numeric verificationId', async () => {
    const sent = await otp.post('/otp/send', { phoneNumber: '+919999900402' });
    const code = otp.sandbox!.latestCode('+919999900402');
    const answer = await otp.post('/otp/verify', {
      verificationId: Number(sent.body.verificationId),
      code,
    });
    expect(answer.status).toBe(200);
  });

  it('answers a national number without any country code with a 400 from the service', async () => {
    const answer = await otp.post('/otp/send', { mobileNumber: '9999900403' });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      statusCode: 400,
      error: 'INVALID_INPUT',
      responseCode: null,
      message: 'countryCode is required: no defaultCountryCode is configured.',
    });
  });
});
