import { SandboxReply } from '../../../sandbox/sandbox.replies';
import { VerifyNowSandboxState } from './verifynow-sandbox.state';
import { VerifyNowSandboxMessage, VerifyNowSandboxOptions } from './verifynow-sandbox.types';

/** The JSON body of a reply, loosely typed for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function body(reply: SandboxReply): any {
  if (!('json' in reply)) {
    throw new Error(`expected JSON, got HTML ${reply.status}`);
  }
  return reply.json;
}

/** A state on a manual clock, collecting what it "sends". */
function setup(options: VerifyNowSandboxOptions = {}) {
  let now = Date.UTC(2030, 0, 1);
  const sent: VerifyNowSandboxMessage[] = [];
  const state = new VerifyNowSandboxState({ now: () => now, ...options }, (message) =>
    sent.push(message),
  );
  const send = (mobileNumber: string, extra: Record<string, string> = {}, countryCode = '91') =>
    state.send('C-1', { countryCode, mobileNumber, flowType: 'SMS', ...extra });
  const validate = (verificationId: string, code: string, customerId = 'C-1') =>
    state.validate(customerId, { verificationId, code });
  const advance = (ms: number) => {
    now += ms;
  };
  return { state, sent, send, validate, advance };
}

describe('VerifyNowSandboxState, without sockets', () => {
  it('sends a code: the documented answer, and the message it would have texted', () => {
    const { send, sent } = setup();
    const reply = send('9999900001');
    expect(reply.status).toBe(200);
    expect(body(reply)).toEqual({
      responseCode: 200,
      message: 'SUCCESS',
      data: {
        verificationId: expect.stringMatching(/^\d+$/),
        mobileNumber: '9999900001',
        responseCode: '200',
        errorMessage: null,
        timeout: '60',
        smCLI: null,
        transactionId: expect.any(String),
      },
    });
    expect(sent).toEqual([
      {
        verificationId: body(reply).data.verificationId,
        countryCode: '91',
        mobileNumber: '9999900001',
        phoneNumber: '+919999900001',
        code: expect.stringMatching(/^\d{4}$/),
        flowType: 'SMS',
        sentAt: '2030-01-01T00:00:00.000Z',
      },
    ]);
  });

  it('draws otpLength digits, or uses the fixed code', () => {
    const random = setup();
    random.send('9999900002', { otpLength: '8' });
    expect(random.sent[0].code).toMatch(/^\d{8}$/);
    const fixed = setup({ code: '246810' });
    fixed.send('9999900002', { otpLength: '6' });
    expect(fixed.sent[0].code).toBe('246810');
  });

  it('answers 506 with the pending id and the seconds left while a code is pending', () => {
    const { send, advance } = setup();
    const first = body(send('9999900003')).data;
    advance(20_500);
    const again = send('9999900003');
    expect(again.status).toBe(200);
    expect(body(again)).toEqual({
      responseCode: 506,
      message: 'REQUEST_ALREADY_EXISTS',
      data: {
        verificationId: first.verificationId,
        mobileNumber: '9999900003',
        responseCode: '506',
        errorMessage: 'REQUEST_ALREADY_EXISTS',
        timeout: '40',
        smCLI: null,
        transactionId: first.transactionId,
      },
    });
  });

  it('validates: wrong code 702, right code VERIFICATION_COMPLETED, then 703; a new send is allowed', () => {
    const { send, validate, sent } = setup();
    const id = body(send('9999900004')).data.verificationId as string;
    const code = sent[0].code;
    const wrong = validate(id, code === '0000' ? '1111' : '0000');
    expect([wrong.status, body(wrong)]).toEqual([
      200,
      { responseCode: 702, message: 'WRONG_OTP_PROVIDED', data: null },
    ]);
    const right = validate(id, code);
    expect(body(right)).toEqual({
      responseCode: 200,
      message: 'SUCCESS',
      data: expect.objectContaining({
        verficationId: id,
        mobileNumber: '9999900004',
        verificationStatus: 'VERIFICATION_COMPLETED',
      }),
    });
    expect(body(validate(id, code))).toMatchObject({ responseCode: 703 });
    expect(body(send('9999900004'))).toMatchObject({ responseCode: 200 });
  });

  it('expires a code after codeTtlSeconds on the injected clock: 705, then a new send is allowed', () => {
    const { send, validate, sent, advance } = setup({ codeTtlSeconds: 30 });
    const id = body(send('9999900005')).data.verificationId as string;
    advance(29_999);
    expect(body(send('9999900005'))).toMatchObject({ responseCode: 506 });
    advance(1);
    expect(body(validate(id, sent[0].code))).toMatchObject({
      responseCode: 705,
      message: 'VERIFICATION_EXPIRED',
    });
    expect(body(send('9999900005'))).toMatchObject({ responseCode: 200 });
  });

  it('answers 800 in HTTP 429 with Retry-After after maxAttempts wrong codes, even to the right one', () => {
    const { send, validate, sent } = setup({ maxAttempts: 2, code: '1234' });
    const id = body(send('9999900006')).data.verificationId as string;
    expect(body(validate(id, '0000'))).toMatchObject({ responseCode: 702 });
    expect(body(validate(id, '0000'))).toMatchObject({ responseCode: 702 });
    const limited = validate(id, sent[0].code);
    expect(limited).toEqual({
      status: 429,
      headers: { 'Retry-After': '60' },
      json: { responseCode: 800, message: 'MAXIMUM_LIMIT_REACHED', data: null },
    });
  });

  it("answers 505 for an unknown id or another customer's", () => {
    const { send, validate, sent } = setup();
    const id = body(send('9999900007')).data.verificationId as string;
    expect(body(validate('1', '1234'))).toMatchObject({ responseCode: 505 });
    expect(body(validate(id, sent[0].code, 'C-2'))).toMatchObject({ responseCode: 505 });
  });

  it('keeps finished verifications ten minutes past expiry, then sweeps them on a later send', () => {
    const { send, validate, sent, advance } = setup();
    const id = body(send('9999900008')).data.verificationId as string;
    advance(60_000 + 10 * 60_000);
    expect(body(validate(id, sent[0].code))).toMatchObject({ responseCode: 705 });
    advance(1);
    send('9999900009');
    expect(body(validate(id, sent[0].code))).toMatchObject({ responseCode: 505 });
  });

  it('checks parameters in the upstream order: 400 BAD_REQUEST, then 511 for an unknown dial code', () => {
    const { state, send } = setup();
    const cases: [Record<string, string>, string][] = [
      [{}, 'countryCode is required'],
      [{ countryCode: '91' }, 'mobileNumber must be 4 to 16 digits'],
      [{ countryCode: '91', mobileNumber: '9999900010' }, 'flowType is invalid'],
      [
        { countryCode: '91', mobileNumber: '9999900010', flowType: 'SMS', otpLength: '' },
        'otpLength must be 4 to 8',
      ],
    ];
    for (const [parameters, message] of cases) {
      const reply = state.send('C-1', parameters);
      expect([reply.status, body(reply)]).toEqual([
        400,
        { responseCode: 400, message, data: null },
      ]);
    }
    expect(body(send('9999900010', { otpLength: '3' }))).toMatchObject({ responseCode: 400 });
    expect(body(send('9999900010', {}, '999'))).toMatchObject({ responseCode: 511 });
    const validation = state.validate('C-1', { verificationId: '123' });
    expect(body(validation)).toMatchObject({ responseCode: 400, message: 'code is required' });
    const badId = state.validate('C-1', { verificationId: 'x', code: '1' });
    expect(body(badId)).toMatchObject({ responseCode: 400, message: 'verificationId is invalid' });
  });

  describe('magic numbers', () => {
    it('answers the seed table: 0001 is sent with HTTP 201, 0006 is 429 with Retry-After: 30', () => {
      const { send, sent } = setup();
      const accepted = send('82123060001', {}, '62');
      expect([accepted.status, body(accepted).message]).toEqual([201, 'OTP sent successfully']);
      expect(sent).toHaveLength(1);
      expect(send('82123060006', {}, '62')).toEqual({
        status: 429,
        headers: { 'Retry-After': '30' },
        json: {
          responseCode: 429,
          message: 'Too many request in the allowed time frame',
          data: null,
        },
      });
    });

    it('answers 1CCC sends with CCC, without sending anything', () => {
      const { send, sent } = setup();
      expect(send('82123061511', {}, '62')).toEqual({
        status: 400,
        json: { responseCode: 511, message: 'INVALID_COUNTRY_CODE', data: null },
      });
      expect(send('82123061800', {}, '62')).toMatchObject({
        status: 429,
        headers: { 'Retry-After': '60' },
      });
      expect(sent).toEqual([]);
    });

    it('answers 9SSS sends with a Whitelabel HTML page', () => {
      const reply = setup().send('82123069503', {}, '62');
      expect(reply).toEqual({
        status: 503,
        html: expect.stringContaining('Whitelabel Error Page'),
      });
    });

    it('accepts 2CCC and 8SSS sends, then answers every validation with CCC or an HTML SSS', () => {
      const { send, validate, sent } = setup();
      const json = body(send('82123062705', {}, '62')).data.verificationId as string;
      expect(body(validate(json, sent[0].code))).toMatchObject({ responseCode: 705 });
      expect(body(validate(json, sent[0].code))).toMatchObject({ responseCode: 705 });
      const html = body(send('82123068500', {}, '62')).data.verificationId as string;
      expect(validate(html, sent[1].code)).toMatchObject({ status: 500, html: expect.any(String) });
    });
  });

  it('forgets every verification on reset', () => {
    const { state, send, validate, sent } = setup();
    const id = body(send('9999900011')).data.verificationId as string;
    state.reset();
    expect(body(validate(id, sent[0].code))).toMatchObject({ responseCode: 505 });
    expect(body(send('9999900011'))).toMatchObject({ responseCode: 200 });
  });
});
