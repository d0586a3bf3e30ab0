import { SandboxReply, isResetReply } from '../../../sandbox/sandbox.replies';
import { SandboxOutboxMessage } from '../../../sandbox/sandbox.outbox';
import { VERIHUBS_SANDBOX_CODE_LIMIT, VerihubsSandboxState } from './verihubs-sandbox.state';
import { VerihubsSandboxMessage, VerihubsSandboxOptions } from './verihubs-sandbox.types';

/** The JSON body of a reply, loosely typed for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function body(reply: SandboxReply): any {
  if (!('json' in reply)) {
    throw new Error(`expected JSON, got HTML ${reply.status}`);
  }
  return reply.json;
}

/** Status and body of a reply, for one-line assertions. */
const answer = (reply: SandboxReply): [number, unknown] => [reply.status, body(reply)];

/** A state on a manual clock, collecting what it "sends" and the callbacks it makes. */
function setup(options: VerihubsSandboxOptions = {}) {
  let now = Date.UTC(2030, 0, 1);
  const sent: VerihubsSandboxMessage[] = [];
  const calls: string[] = [];
  const state = new VerihubsSandboxState(
    { now: () => now, ...options },
    (message) => sent.push(message),
    (url) => void calls.push(url),
  );
  const advance = (ms: number) => {
    now += ms;
  };
  /** The callbacks made once the queue is idle. */
  const called = async () => {
    await state.callbacks.idle();
    return calls;
  };
  return { state, sent, calls, called, advance };
}

const MSISDN = '6281234567890';
const MAGIC_SEND: [string, number, string][] = [
  ['6282123060002', 400, 'Msisdn invalid: msisdn length should between 4-16 characters'],
  ['6282123060003', 401, 'Authorization failed'],
  ['6282123060004', 403, 'OTP testing quota is insufficient'],
  ['6282123060005', 409, 'Msisdn invalid: msisdn has been blocked'],
  ['6282123060006', 429, 'Too many request in the allowed time frame'],
  ['6282123060010', 503, 'Service unavailable'],
  ['6282123060012', 500, 'Internal server error'],
];
const MAGIC_VERIFY: [string, number, string][] = [
  ['6282123060007', 200, 'OTP has been verified'],
  ['6282123060008', 404, 'OTP not found'],
  ['6282123060009', 422, 'OTP cannot be verified because Time limit exceeded'],
  ['6282123060010', 503, 'Service unavailable'],
  ['6282123060012', 500, 'Internal server error'],
];

describe('VerihubsSandboxState, without sockets', () => {
  it('sends an SMS code: HTTP 201 with the documented fields, and the message it would have texted', () => {
    const { state, sent } = setup();
    const reply = state.send('sms', { msisdn: MSISDN, challenge: 'login' });
    expect(answer(reply)).toEqual([
      201,
      {
        message: 'OTP sent successfully',
        otp: expect.stringMatching(/^\d{6}$/),
        msisdn: MSISDN,
        session_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        try_count: 1,
        segment_count: 1,
      },
    ]);
    const { otp, session_id } = body(reply);
    expect(sent).toEqual([
      {
        provider: 'verihubs',
        sessionId: session_id,
        msisdn: MSISDN,
        phoneNumber: `+${MSISDN}`,
        code: otp,
        channel: 'sms',
        text: `Your OTP code is ${otp}`,
        challenge: 'login',
        sentAt: '2030-01-01T00:00:00.000Z',
      },
    ]);
    // What the outbox needs of a message.
    const forOutbox: SandboxOutboxMessage = sent[0];
    expect(forOutbox.phoneNumber).toBe(`+${MSISDN}`);
  });

  it("uses the client's otp, else the fixed code; refuses an otp that is not 4 to 10 digits", () => {
    const { state, sent } = setup({ code: '135790' });
    expect(body(state.send('sms', { msisdn: MSISDN, otp: '4321' })).otp).toBe('4321');
    expect(body(state.send('sms', { msisdn: '6281200000001' })).otp).toBe('135790');
    expect(sent.map((message) => message.code)).toEqual(['4321', '135790']);
    for (const otp of ['123', '12345678901', '12a4', { code: 1 }]) {
      expect(answer(state.send('sms', { msisdn: MSISDN, otp }))[0]).toBe(400);
    }
    expect(sent).toHaveLength(2);
  });

  it('renders every $OTP of the template, and counts 160-character segments', () => {
    const { state, sent } = setup({ code: '2468' });
    const template = 'Code $OTP. Again: $OTP. ';
    expect(body(state.send('sms', { msisdn: MSISDN, template })).segment_count).toBe(1);
    expect(sent[0].text).toBe('Code 2468. Again: 2468. ');
    const long = 'x'.repeat(157) + '$OTP';
    expect(body(state.send('sms', { msisdn: MSISDN, template: long })).segment_count).toBe(2);
    expect(sent[1].text).toHaveLength(161);
  });

  it('sends on WhatsApp: otp_length digits, the template named, one segment, a code of its own', () => {
    const { state, sent } = setup();
    const whatsapp = { msisdn: MSISDN, template_name: 'otp_login', lang_code: 'id' };
    const reply = state.send('whatsapp', { ...whatsapp, otp_length: '8' });
    expect(answer(reply)).toEqual([201, expect.objectContaining({ segment_count: 1 })]);
    const { code } = sent[0];
    expect(code).toMatch(/^\d{8}$/);
    expect(sent[0]).toMatchObject({
      channel: 'whatsapp',
      text: `WhatsApp template otp_login (id): ${code}`,
      challenge: undefined,
    });
    // The SMS channel has no code for that number: channels are apart.
    expect(answer(state.verify('sms', { msisdn: MSISDN, otp: code }))[0]).toBe(404);
    expect(answer(state.verify('whatsapp', { msisdn: MSISDN, otp: code }))[0]).toBe(200);
    expect(answer(state.send('whatsapp', { msisdn: MSISDN, lang_code: 'id' }))).toEqual([
      400,
      { message: 'template_name is required' },
    ]);
    expect(answer(state.send('whatsapp', { ...whatsapp, otp_length: 3 }))[0]).toBe(400);
  });

  it('verifies: wrong 404, right 200, then the code is used up (404)', () => {
    const { state } = setup({ code: '1234' });
    state.send('sms', { msisdn: MSISDN, challenge: 'pay' });
    const check = (otp: string, challenge = 'pay') =>
      answer(state.verify('sms', { msisdn: MSISDN, otp, challenge }));
    expect(check('0000')).toEqual([404, { message: 'OTP not found' }]);
    expect(check('1234', 'login')).toEqual([404, { message: 'OTP not found' }]);
    expect(check('1234')).toEqual([200, { message: 'OTP has been verified' }]);
    expect(check('1234')).toEqual([404, { message: 'OTP not found' }]);
  });

  it('expires a code after time_limit (sent as a string): 422, and 404 once swept', () => {
    const { state, advance } = setup({ code: '1234' });
    state.send('sms', { msisdn: MSISDN, time_limit: '30' });
    advance(29_999);
    state.send('sms', { msisdn: '6281200000002', time_limit: 30 });
    advance(1);
    expect(answer(state.verify('sms', { msisdn: '6281200000002', otp: '1234' }))[0]).toBe(200);
    expect(answer(state.verify('sms', { msisdn: MSISDN, otp: '1234' }))).toEqual([
      422,
      { message: 'OTP cannot be verified because Time limit exceeded' },
    ]);
    advance(10 * 60_000 + 1);
    expect(answer(state.verify('sms', { msisdn: MSISDN, otp: '1234' }))[0]).toBe(404);
  });

  it('keeps a code defaultTimeLimitSeconds (300 unless set) when the send gives no time_limit', () => {
    const { state, advance } = setup({ code: '1234' });
    state.send('sms', { msisdn: MSISDN });
    advance(300_000);
    expect(answer(state.verify('sms', { msisdn: MSISDN, otp: '1234' }))[0]).toBe(422);
    const short = setup({ code: '1234', defaultTimeLimitSeconds: 5 });
    short.state.send('sms', { msisdn: MSISDN });
    short.advance(5_000);
    expect(answer(short.state.verify('sms', { msisdn: MSISDN, otp: '1234' }))[0]).toBe(422);
  });

  it('forgets the code after maxAttempts wrong ones: the right one then gets 404', () => {
    const { state } = setup({ code: '1234', maxAttempts: 2 });
    state.send('sms', { msisdn: MSISDN });
    const check = (otp: string) => answer(state.verify('sms', { msisdn: MSISDN, otp }))[0];
    expect([check('0000'), check('0000'), check('1234')]).toEqual([404, 404, 404]);
  });

  it('keeps one code per msisdn and challenge: a new send replaces it and counts try_count', () => {
    const { state, advance } = setup();
    const first = body(state.send('sms', { msisdn: MSISDN, otp: '1111' }));
    const second = body(state.send('sms', { msisdn: MSISDN, otp: '2222' }));
    expect([first.try_count, second.try_count]).toEqual([1, 2]);
    expect(second.session_id).not.toBe(first.session_id);
    expect(body(state.send('sms', { msisdn: MSISDN, otp: '3333', challenge: 'x' })).try_count).toBe(
      1,
    );
    expect(answer(state.verify('sms', { msisdn: MSISDN, otp: '1111' }))[0]).toBe(404);
    expect(answer(state.verify('sms', { msisdn: MSISDN, otp: '2222' }))[0]).toBe(200);
    expect(body(state.send('sms', { msisdn: MSISDN, time_limit: 1 })).try_count).toBe(1);
    advance(1_000);
    expect(body(state.send('sms', { msisdn: MSISDN })).try_count).toBe(1);
  });

  it('refuses bad bodies with 400: not an object, msisdn not 4 to 16 digits, bad fields', () => {
    const { state, sent } = setup();
    const invalidMsisdn = [
      400,
      { message: 'Msisdn invalid: msisdn length should between 4-16 characters' },
    ];
    for (const bad of [undefined, null, 'x', [], 42]) {
      expect(answer(state.send('sms', bad))).toEqual([
        400,
        { message: 'Request body must be a JSON object' },
      ]);
      expect(answer(state.verify('sms', bad))[0]).toBe(400);
    }
    for (const msisdn of [undefined, '123', '12345678901234567', '+6281234567890', '62-812']) {
      expect(answer(state.send('sms', { msisdn }))).toEqual(invalidMsisdn);
      expect(answer(state.verify('sms', { msisdn, otp: '1234' }))).toEqual(invalidMsisdn);
    }
    expect(answer(state.send('sms', { msisdn: 6281234567890 }))[0]).toBe(201);
    expect(answer(state.send('sms', { msisdn: MSISDN, time_limit: '0' }))[0]).toBe(400);
    expect(answer(state.send('sms', { msisdn: MSISDN, time_limit: 'soon' }))[0]).toBe(400);
    expect(answer(state.send('sms', { msisdn: MSISDN, callback_url: 'ftp://x/' }))[0]).toBe(400);
    // Never a forwarder: the sandbox calls back this machine only.
    for (const elsewhere of [
      'http://169.254.169.254/latest',
      'https://example.com/hook',
      'http://10.0.0.1/',
    ]) {
      expect(answer(state.send('sms', { msisdn: MSISDN, callback_url: elsewhere }))[0]).toBe(400);
    }
    expect(answer(state.send('sms', { msisdn: MSISDN, template: ['$OTP'] }))[0]).toBe(400);
    expect(answer(state.verify('sms', { msisdn: MSISDN }))).toEqual([
      400,
      { message: 'otp is required' },
    ]);
    expect(sent).toHaveLength(1);
  });

  describe('magic numbers', () => {
    it('answers 6282123060001 as any number, with 201 "OTP sent successfully"', () => {
      const { state, sent } = setup();
      const reply = state.send('sms', { msisdn: '6282123060001' });
      expect([reply.status, body(reply).message]).toEqual([201, 'OTP sent successfully']);
      expect(sent).toHaveLength(1);
    });

    it.each(MAGIC_SEND)('send to %s: HTTP %d "%s", nothing sent', (msisdn, status, message) => {
      const { state, sent } = setup();
      for (const channel of ['sms', 'whatsapp'] as const) {
        expect(state.send(channel, { msisdn })).toEqual({ status, json: { message } });
      }
      expect(sent).toEqual([]);
    });

    it.each(MAGIC_VERIFY)(
      'verify of %s: HTTP %d "%s" whatever the code',
      (msisdn, status, message) => {
        const { state } = setup();
        for (const channel of ['sms', 'whatsapp'] as const) {
          expect(state.verify(channel, { msisdn, otp: '0' })).toEqual({
            status,
            json: { message },
          });
        }
      },
    );

    it('drops the connection for 6282123060011 on send and verify (503 where it cannot)', () => {
      const { state, sent } = setup();
      const send = state.send('sms', { msisdn: '6282123060011' });
      const verify = state.verify('whatsapp', { msisdn: '6282123060011', otp: '1234' });
      for (const reply of [send, verify]) {
        expect(isResetReply(reply)).toBe(true);
        expect(reply).toEqual({
          status: 503,
          json: { message: 'Service unavailable' },
          reset: true,
        });
      }
      expect(sent).toEqual([]);
    });

    it('sends to the verify numbers normally, and still answers their verify as the table', () => {
      const { state, sent } = setup({ code: '1234' });
      expect(state.send('sms', { msisdn: '6282123060009' }).status).toBe(201);
      expect(sent).toHaveLength(1);
      expect(answer(state.verify('sms', { msisdn: '6282123060009', otp: '1234' }))[0]).toBe(422);
    });
  });

  describe('callbacks', () => {
    const hook = 'http://127.0.0.1:9/hook?tenant=a%20b&x=1';

    it('calls back Requested then Delivered after an SMS send, Verified after the right code, query kept', async () => {
      const { state, called } = setup({ code: '1234' });
      const id = body(state.send('sms', { msisdn: MSISDN, callback_url: hook })).session_id;
      state.verify('sms', { msisdn: MSISDN, otp: '0000' });
      state.verify('sms', { msisdn: MSISDN, otp: '1234' });
      expect(await called()).toEqual([0, 1, 2].map((n) => `${hook}&session_id=${id}&status=${n}`));
    });

    it('uses the WhatsApp numbering: 0 Requested, 2 Delivered, 4 Verified', async () => {
      const { state, called } = setup({ code: '1234' });
      const send = { msisdn: MSISDN, template_name: 't', lang_code: 'en', callback_url: hook };
      const id = body(state.send('whatsapp', send)).session_id;
      state.verify('whatsapp', { msisdn: MSISDN, otp: '1234' });
      const statuses = (await called()).map((url) => new URL(url).searchParams.get('status'));
      expect(statuses).toEqual(['0', '2', '4']);
      expect((await called())[0]).toContain(`session_id=${id}`);
    });

    it('calls back one after the other, only after callbackDelayMs', async () => {
      const { state, calls, called } = setup({ callbackDelayMs: 30 });
      state.send('sms', { msisdn: MSISDN, callback_url: 'http://127.0.0.1:9/' });
      await new Promise((resolve) => setTimeout(resolve, 40));
      expect(calls).toHaveLength(1);
      expect(await called()).toHaveLength(2);
    });

    it('never calls back without a callback_url, nor for a refused or magic request', async () => {
      const { state, called } = setup({ code: '1234' });
      state.send('sms', { msisdn: MSISDN });
      state.verify('sms', { msisdn: MSISDN, otp: '1234' });
      state.send('sms', { msisdn: '6282123060004', callback_url: hook });
      state.send('sms', { msisdn: MSISDN, otp: '1', callback_url: hook });
      expect(await called()).toEqual([]);
    });

    it('keeps calling back after a sender that throws', async () => {
      const calls: string[] = [];
      const state = new VerihubsSandboxState({}, undefined, (url) => {
        calls.push(url);
        throw new Error('unreachable');
      });
      state.send('sms', { msisdn: MSISDN, callback_url: hook });
      await state.callbacks.idle();
      expect(calls).toHaveLength(2);
    });
  });

  it('checks App-ID and API-Key: the configured ones, else any non-empty', () => {
    const open = setup().state;
    expect([
      open.authorizes('a', 'k'),
      open.authorizes('', 'k'),
      open.authorizes('a', undefined),
    ]).toEqual([true, false, false]);
    const closed = setup({ appId: 'app', apiKey: 'key' }).state;
    expect([
      closed.authorizes('app', 'key'),
      closed.authorizes('app', 'kex'),
      closed.authorizes('ap', 'key'),
    ]).toEqual([true, false, false]);
  });

  it('forgets every code and every pending callback on reset', async () => {
    const { state, called } = setup({ code: '1234', callbackDelayMs: 1_000 });
    state.send('sms', { msisdn: MSISDN, callback_url: 'http://127.0.0.1:9/' });
    state.reset();
    expect(await called()).toEqual([]);
    expect(answer(state.verify('sms', { msisdn: MSISDN, otp: '1234' }))[0]).toBe(404);
  });

  it(`keeps at most ${VERIHUBS_SANDBOX_CODE_LIMIT} codes: the oldest sends go first`, () => {
    const { state } = setup({ code: '1234' });
    for (let i = 0; i <= VERIHUBS_SANDBOX_CODE_LIMIT; i += 1) {
      state.send('sms', { msisdn: String(6281300000000 + i) });
    }
    const check = (msisdn: number) => answer(state.verify('sms', { msisdn, otp: '1234' }))[0];
    expect([check(6281300000000), check(6281300000001)]).toEqual([404, 200]);
  });
});
