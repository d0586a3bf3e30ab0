import {
  checkBody,
  checkMsisdn,
  checkSend,
  checkVerify,
  isHttpUrl,
} from './verihubs-sandbox.parameters';

const MSISDN = '6281234567890';

describe('Verihubs sandbox parameters', () => {
  it('takes only a JSON object as a body', () => {
    expect(checkBody({ status: 1, json: 2 })).toEqual({ status: 1, json: 2 });
    expect([null, [], 'x', 1, undefined].map(checkBody)).toEqual(Array(5).fill(undefined));
  });

  it('takes a msisdn of 4 to 16 digits, as a string or a JSON number', () => {
    expect(checkMsisdn({ msisdn: '1234' })).toBe('1234');
    expect(checkMsisdn({ msisdn: 6281234567890 })).toBe(MSISDN);
    expect(checkMsisdn({ msisdn: 1.5 })).toMatchObject({ status: 400 });
  });

  it('reads numbers sent as strings, and bounds them', () => {
    const send = (fields: Record<string, unknown>) => checkSend('sms', fields, MSISDN);
    expect(send({ time_limit: ' 60 ', otp: 123456, challenge: 7 })).toEqual({
      msisdn: MSISDN,
      otp: '123456',
      timeLimitSeconds: 60,
      challenge: '7',
      callbackUrl: undefined,
      template: undefined,
    });
    expect(send({ time_limit: '86401' })).toEqual({
      status: 400,
      json: { message: 'time_limit must be a whole number from 1 to 86400' },
    });
    expect(send({ time_limit: '1.5' })).toMatchObject({ status: 400 });
    expect(send({ challenge: true })).toEqual({
      status: 400,
      json: { message: 'challenge must be a string' },
    });
  });

  it('needs the WhatsApp template and language, and draws 6 digits unless otp_length says', () => {
    const fields = { template_name: 't', lang_code: 'en' };
    expect(checkSend('whatsapp', fields, MSISDN)).toMatchObject({
      whatsapp: { templateName: 't', langCode: 'en', otpLength: 6 },
    });
    expect(checkSend('whatsapp', { ...fields, otp_length: 10 }, MSISDN)).toMatchObject({
      whatsapp: { otpLength: 10 },
    });
    expect(checkSend('whatsapp', { template_name: 't' }, MSISDN)).toEqual({
      status: 400,
      json: { message: 'lang_code is required' },
    });
  });

  it('needs the otp to verify; the challenge stays optional', () => {
    expect(checkVerify({ otp: '1234' }, MSISDN)).toEqual({
      msisdn: MSISDN,
      otp: '1234',
      challenge: undefined,
    });
    expect(checkVerify({ otp: '' }, MSISDN)).toMatchObject({ status: 400 });
  });

  it('takes http and https callback URLs only', () => {
    expect(['http://h/x?a=1', 'https://h'].map(isHttpUrl)).toEqual([true, true]);
    expect(['ftp://h/', 'file:///etc/passwd', 'http:', '/relative', 'x'].map(isHttpUrl)).toEqual(
      Array(5).fill(false),
    );
  });
});
