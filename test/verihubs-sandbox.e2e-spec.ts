import { IncomingMessage, Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { VerifyNowSandbox, VerihubsSandboxMessage } from '../lib/sandbox/verifynow.sandbox';
import { RunningScript, runScript } from './helpers/child-process';
import { HttpAnswer, RawAnswer, rawRequest, request } from './helpers/http';

const AUTH = { 'App-ID': 'app-e2e', 'API-Key': 'key-e2e' };
const SMS_SEND = ['/v2/otp/send', '/v2/otp/send/sandbox'] as const;
const SMS_VERIFY = ['/v2/otp/verify', '/v2/otp/verify/sandbox'] as const;
const WA_SEND = ['/v2/whatsapp/otp/send', '/v2/whatsapp/otp/send/sandbox'] as const;
const WA_VERIFY = ['/v2/whatsapp/otp/verify', '/v2/whatsapp/otp/verify/sandbox'] as const;
const WHATSAPP = { template_name: 'otp_login', lang_code: 'id' };

/** Verihubs' HTTP API, called by hand with `fetch`, as curl or Postman would. */
class VerihubsClient {
  constructor(
    private readonly base: string,
    private readonly headers: Record<string, string> = AUTH,
  ) {}

  post(path: string, body: unknown, headers = this.headers): Promise<HttpAnswer> {
    return request(`${this.base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  }
}

/** The code a fetch failed with (`ECONNRESET`…), or the status it got. */
function fetchOutcome(answer: Promise<HttpAnswer>): Promise<number | string | undefined> {
  return answer.then(
    ({ status }) => status,
    (error: Error) => (error.cause as NodeJS.ErrnoException | undefined)?.code ?? error.message,
  );
}

/** The code a node:http request failed with, or the status it got. */
function rawOutcome(answer: Promise<RawAnswer>): Promise<number | string | undefined> {
  return answer.then(
    ({ status }) => status,
    (error: NodeJS.ErrnoException) => error.code,
  );
}

/** A local HTTP server that receives delivery callbacks: each request's method and URL. */
class CallbackReceiver {
  readonly received: { method: string; url: URL }[] = [];
  private readonly server: Server;
  private waiters: (() => void)[] = [];
  url = '';

  constructor() {
    this.server = createServer((incoming: IncomingMessage, response) => {
      this.received.push({
        method: incoming.method ?? '',
        url: new URL(incoming.url ?? '/', 'http://receiver'),
      });
      response.end('ok');
      this.waiters.forEach((check) => check());
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves once `count` callbacks have arrived in all; fails after 5 s. */
  waitFor(count: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.received.length} of ${count} callbacks arrived`)),
        5_000,
      );
      const check = (): void => {
        if (this.received.length >= count) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((waiter) => waiter !== check);
          resolve();
        }
      };
      this.waiters.push(check);
      check();
    });
  }

  /** The `session_id` and `status` of each callback received, in order. */
  statuses(): [string | null, string | null][] {
    return this.received.map(({ url }) => [
      url.searchParams.get('session_id'),
      url.searchParams.get('status'),
    ]);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('VerifyNowSandbox serves Verihubs over loopback HTTP', () => {
  let sandbox: VerifyNowSandbox;
  let client: VerihubsClient;
  const hooks = new CallbackReceiver();

  beforeAll(async () => {
    sandbox = await VerifyNowSandbox.start({ verihubs: { appId: 'app-e2e', apiKey: 'key-e2e' } });
    client = new VerihubsClient(sandbox.url);
    await hooks.listen();
  });
  afterAll(async () => {
    await sandbox.close();
    await hooks.close();
  });

  it.each(SMS_SEND)("answers seed 001's table word for word on %s", async (path) => {
    const table: [string, number, string][] = [
      ['6282123060001', 201, 'OTP sent successfully'],
      ['6282123060002', 400, 'Msisdn invalid: msisdn length should between 4-16 characters'],
      ['6282123060003', 401, 'Authorization failed'],
      ['6282123060004', 403, 'OTP testing quota is insufficient'],
      ['6282123060005', 409, 'Msisdn invalid: msisdn has been blocked'],
      ['6282123060006', 429, 'Too many request in the allowed time frame'],
    ];
    for (const [msisdn, status, message] of table) {
      const answer = await client.post(path, { msisdn });
      expect([msisdn, answer.status, answer.body.message]).toEqual([msisdn, status, message]);
      if (status !== 201) {
        expect(answer.body).toEqual({ message });
      }
    }
    // Only 0001 is really sent.
    expect(sandbox.verihubsOutbox('6282123060002')).toEqual([]);
    expect(sandbox.verihubsOutbox('6282123060001').length).toBeGreaterThan(0);
  });

  it.each(SMS_VERIFY)('answers the verify magic numbers at once on %s', async (path) => {
    const table: [string, number, string][] = [
      ['6282123060007', 200, 'OTP has been verified'],
      ['6282123060008', 404, 'OTP not found'],
      ['6282123060009', 422, 'OTP cannot be verified because Time limit exceeded'],
    ];
    for (const [msisdn, status, message] of table) {
      const answer = await client.post(path, { msisdn, otp: '000000' });
      expect([msisdn, answer.status, answer.body]).toEqual([msisdn, status, { message }]);
    }
  });

  it('sends a code readable through latestCode, verifies it once (200), then answers 404', async () => {
    const sent = await client.post('/v2/otp/send', { msisdn: '6281234560101', challenge: 'login' });
    expect(sent.status).toBe(201);
    expect(sent.body).toEqual({
      message: 'OTP sent successfully',
      otp: expect.stringMatching(/^\d{6}$/),
      msisdn: '6281234560101',
      session_id: expect.any(String),
      try_count: 1,
      segment_count: 1,
    });
    const code = sandbox.latestCode('+6281234560101');
    expect(code).toBe(sent.body.otp);
    const body = { msisdn: '6281234560101', otp: code, challenge: 'login' };
    const verified = await client.post('/v2/otp/verify', body);
    expect([verified.status, verified.body]).toEqual([200, { message: 'OTP has been verified' }]);
    const again = await client.post('/v2/otp/verify/sandbox', body);
    expect([again.status, again.body]).toEqual([404, { message: 'OTP not found' }]);
  });

  it('renders the template in the text the outbox keeps, the default one without', async () => {
    const template = 'Kode masuk Anda $OTP. Jangan berikan $OTP ke siapa pun.';
    await client.post('/v2/otp/send/sandbox', { msisdn: '6281234560102', template });
    const [message] = sandbox.verihubsOutbox('+6281234560102');
    expect(message.text).toBe(template.split('$OTP').join(message.code));
    expect(message).toMatchObject({
      provider: 'verihubs',
      channel: 'sms',
      msisdn: '6281234560102',
    });
    await client.post('/v2/otp/send', { msisdn: '6281234560103' });
    const [plain] = sandbox.verihubsOutbox('6281234560103');
    expect(plain.text).toBe(`Your OTP code is ${plain.code}`);
  });

  it("keeps the client's own otp", async () => {
    const sent = await client.post('/v2/otp/send', { msisdn: '6281234560104', otp: '4711' });
    expect([sent.status, sent.body.otp]).toEqual([201, '4711']);
    expect(sandbox.latestCode('+6281234560104')).toBe('4711');
    const verified = await client.post('/v2/otp/verify', { msisdn: '6281234560104', otp: '4711' });
    expect(verified.status).toBe(200);
  });

  it.each([0, 1])('sends and verifies on WhatsApp (path pair %i), apart from SMS', async (i) => {
    const msisdn = `628123456020${i}`;
    const sent = await client.post(WA_SEND[i], { msisdn, ...WHATSAPP, otp_length: 8 });
    expect([sent.status, sent.body.segment_count]).toEqual([201, 1]);
    const [message] = sandbox.verihubsOutbox(msisdn);
    expect(message.code).toMatch(/^\d{8}$/);
    expect(message).toMatchObject({
      channel: 'whatsapp',
      text: `WhatsApp template otp_login (id): ${message.code}`,
    });
    expect((await client.post(SMS_VERIFY[i], { msisdn, otp: message.code })).status).toBe(404);
    const verified = await client.post(WA_VERIFY[i], { msisdn, otp: message.code });
    expect([verified.status, verified.body]).toEqual([200, { message: 'OTP has been verified' }]);
    const missing = await client.post(WA_SEND[i], { msisdn, lang_code: 'id' });
    expect([missing.status, missing.body]).toEqual([400, { message: 'template_name is required' }]);
  });

  it('answers 401 "Authorization failed" to a missing or wrong App-ID or API-Key', async () => {
    const refused: Record<string, string>[] = [
      {},
      { 'App-ID': 'app-e2e' },
      { 'API-Key': 'key-e2e' },
      { ...AUTH, 'App-ID': 'app-other' },
      { ...AUTH, 'API-Key': 'key-other' },
    ];
    const before = sandbox.messages().length;
    for (const headers of refused) {
      for (const path of [...SMS_SEND, ...SMS_VERIFY, ...WA_SEND, ...WA_VERIFY]) {
        const answer = await client.post(
          path,
          { msisdn: '6281234560301', otp: '1234', ...WHATSAPP },
          headers,
        );
        expect([path, answer.status, answer.body]).toEqual([
          path,
          401,
          { message: 'Authorization failed' },
        ]);
      }
    }
    expect(sandbox.messages()).toHaveLength(before);
  });

  it('looks down for the "down" numbers: 503, a reset connection, 500, on send and verify', async () => {
    for (const path of [SMS_SEND[0], SMS_VERIFY[1], WA_SEND[0], WA_VERIFY[0]]) {
      const body = { msisdn: '6282123060010', otp: '1234', ...WHATSAPP };
      const unavailable = await client.post(path, body);
      expect([path, unavailable.status, unavailable.body]).toEqual([
        path,
        503,
        { message: 'Service unavailable' },
      ]);
      const reset = { ...body, msisdn: '6282123060011' };
      expect([path, await fetchOutcome(client.post(path, reset))]).toEqual([path, 'ECONNRESET']);
      const raw = rawRequest(`${sandbox.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...AUTH },
        body: JSON.stringify(reset),
      });
      expect([path, await rawOutcome(raw)]).toEqual([path, 'ECONNRESET']);
      const failed = await client.post(path, { ...body, msisdn: '6282123060012' });
      expect([path, failed.status, failed.body]).toEqual([
        path,
        500,
        { message: 'Internal server error' },
      ]);
    }
    // Still serving.
    expect((await client.post('/v2/otp/send', { msisdn: '6281234560401' })).status).toBe(201);
  });

  it('calls callback_url back on a real server: 0 and 1 after the send, 2 after the verify', async () => {
    const start = hooks.received.length;
    const callback_url = `${hooks.url}/hooks/verihubs?tenant=t1`;
    const sent = await client.post('/v2/otp/send', { msisdn: '6281234560501', callback_url });
    const id = sent.body.session_id as string;
    await hooks.waitFor(start + 2);
    await client.post('/v2/otp/verify', { msisdn: '6281234560501', otp: sent.body.otp });
    await hooks.waitFor(start + 3);
    const received = hooks.received.slice(start);
    expect(received.map(({ method, url }) => [method, url.pathname])).toEqual(
      Array(3).fill(['GET', '/hooks/verihubs']),
    );
    expect(received.map(({ url }) => url.searchParams.get('tenant'))).toEqual(['t1', 't1', 't1']);
    expect(hooks.statuses().slice(start)).toEqual([
      [id, '0'],
      [id, '1'],
      [id, '2'],
    ]);
  });

  it("numbers WhatsApp's callbacks its own way: 0 and 2, then 4 after the verify", async () => {
    const start = hooks.received.length;
    const body = { msisdn: '6281234560502', ...WHATSAPP, callback_url: `${hooks.url}/wa` };
    const sent = await client.post('/v2/whatsapp/otp/send', body);
    await hooks.waitFor(start + 2);
    await client.post('/v2/whatsapp/otp/verify', { msisdn: '6281234560502', otp: sent.body.otp });
    await hooks.waitFor(start + 3);
    const id = sent.body.session_id as string;
    expect(hooks.statuses().slice(start)).toEqual([
      [id, '0'],
      [id, '2'],
      [id, '4'],
    ]);
  });
});

describe('one sandbox, one outbox for both providers', () => {
  let sandbox: VerifyNowSandbox;
  let verihubs: VerihubsClient;

  /** A VerifyNow send to +62 and `mobileNumber`, with a fresh token. */
  async function sendVerifyNow(mobileNumber: string): Promise<HttpAnswer> {
    const key = Buffer.from('pw').toString('base64');
    const issued = await request(
      `${sandbox.url}/auth/v1/authentication/token?customerId=C-1&key=${key}&scope=NEW`,
    );
    const query = new URLSearchParams({ countryCode: '62', mobileNumber, flowType: 'SMS' });
    return request(`${sandbox.url}/verification/v3/send?${query.toString()}`, {
      method: 'POST',
      headers: { authToken: issued.body.token as string },
    });
  }

  beforeAll(async () => {
    sandbox = await VerifyNowSandbox.start();
    verihubs = new VerihubsClient(sandbox.url, { 'App-ID': 'any', 'API-Key': 'any' });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  it('keeps both providers apart in outbox() and verihubsOutbox(), together in messages()', async () => {
    const heard: string[] = [];
    const heardVerifyNow: string[] = [];
    const stopAny = sandbox.onAnyMessage((message) => heard.push(message.provider ?? '?'));
    const stopOne = sandbox.onMessage((message) => heardVerifyNow.push(message.verificationId));
    await verihubs.post('/v2/otp/send', { msisdn: '6281234560601' });
    const verifyNow = await sendVerifyNow('81234560601');
    expect(verifyNow.body).toMatchObject({ responseCode: 200 });
    stopAny();
    stopOne();
    const both = sandbox.messages('+6281234560601');
    expect(both.map((message) => message.provider)).toEqual(['verihubs', 'verifynow']);
    expect(sandbox.outbox('+6281234560601')).toEqual([both[1]]);
    expect(sandbox.outbox()[0]).toMatchObject({
      provider: 'verifynow',
      verificationId: verifyNow.body.data.verificationId,
    });
    expect(sandbox.verihubsOutbox('6281234560601')).toEqual([both[0]]);
    expect(heard).toEqual(['verihubs', 'verifynow']);
    expect(heardVerifyNow).toEqual([verifyNow.body.data.verificationId]);
    // The newest code of either provider.
    expect(sandbox.latestCode('+6281234560601')).toBe(both[1].code);
    await verihubs.post('/v2/otp/send', { msisdn: '6281234560601', otp: '97531' });
    expect(sandbox.latestCode('6281234560601')).toBe('97531');
  });

  it('lists both providers at GET /sandbox/outbox, each with its provider', async () => {
    await sendVerifyNow('81234560701');
    await verihubs.post('/v2/otp/send', { msisdn: '6281234560701' });
    const all = await request(`${sandbox.url}/sandbox/outbox`);
    expect(all.status).toBe(200);
    expect(all.body.messages).toEqual([
      expect.objectContaining({ provider: 'verifynow', phoneNumber: '+6281234560701' }),
      expect.objectContaining({ provider: 'verihubs', phoneNumber: '+6281234560701' }),
    ]);
    const one = await request(`${sandbox.url}/sandbox/outbox?phoneNumber=6281234560701`);
    expect(one.body).toEqual(all.body);
    const none = await request(`${sandbox.url}/sandbox/outbox?phoneNumber=%2B919999900001`);
    expect(none.body).toEqual({ messages: [] });
  });

  it("counts Verihubs' sends and verifies in stats(), beside VerifyNow's", async () => {
    await verihubs.post('/v2/otp/send', { msisdn: '6281234560801' });
    await verihubs.post('/v2/whatsapp/otp/send/sandbox', { msisdn: '6281234560801', ...WHATSAPP });
    await verihubs.post('/v2/otp/verify', { msisdn: '6281234560801', otp: '1' });
    await sendVerifyNow('81234560801');
    expect(sandbox.stats()).toEqual({
      token: 1,
      send: 1,
      validate: 0,
      verihubsSend: 2,
      verihubsVerify: 1,
    });
  });

  it("reset() forgets Verihubs' codes and messages, and drops its pending callbacks", async () => {
    const hooks = new CallbackReceiver();
    await hooks.listen();
    const slow = await VerifyNowSandbox.start({ verihubs: { callbackDelayMs: 150 } });
    try {
      const client = new VerihubsClient(slow.url, { 'App-ID': 'a', 'API-Key': 'k' });
      const callback_url = `${hooks.url}/late`;
      const sent = await client.post('/v2/otp/send', { msisdn: '6281234560901', callback_url });
      slow.reset();
      expect([slow.messages(), slow.stats().verihubsSend]).toEqual([[], 0]);
      const verify = await client.post('/v2/otp/verify', {
        msisdn: '6281234560901',
        otp: sent.body.otp,
      });
      expect(verify.status).toBe(404);
      await client.post('/v2/otp/send', { msisdn: '6281234560902', callback_url });
      await slow.close();
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(hooks.received).toEqual([]);
    } finally {
      await slow.close();
      await hooks.close();
    }
  });
});

describe('VerifyNowSandbox providers', () => {
  it.each([
    [['verihubs'] as const, 404, 201],
    [['verifynow'] as const, 200, 404],
    [['verifynow', 'verihubs'] as const, 200, 201],
  ])('with providers %j: VerifyNow %i, Verihubs %i, the outbox served', async (providers, a, b) => {
    const sandbox = await VerifyNowSandbox.start({ providers });
    try {
      const token = await request(`${sandbox.url}/auth/v1/authentication/token?customerId=C&key=a`);
      const sent = await new VerihubsClient(sandbox.url).post('/v2/otp/send', {
        msisdn: '6281234561001',
      });
      expect([token.status, sent.status]).toEqual([a, b]);
      expect((await request(`${sandbox.url}/sandbox/outbox`)).status).toBe(200);
    } finally {
      await sandbox.close();
    }
  });

  it('refuses an empty or unknown provider list', () => {
    expect(() => new VerifyNowSandbox({ providers: [] })).toThrow('providers must name');
    const unknown = ['twilio'] as unknown as readonly 'verihubs'[];
    expect(() => new VerifyNowSandbox({ providers: unknown })).toThrow('not "twilio"');
  });

  it("uses the sandbox's fixed code and clock for Verihubs unless its own are set", async () => {
    let now = Date.UTC(2031, 0, 1);
    const sandbox = await VerifyNowSandbox.start({ code: '8642', now: () => now });
    const own = await VerifyNowSandbox.start({ code: '8642', verihubs: { code: '1357' } });
    try {
      const client = new VerihubsClient(sandbox.url);
      await client.post('/v2/otp/send', { msisdn: '6281234561101', time_limit: '60' });
      const [message]: VerihubsSandboxMessage[] = sandbox.verihubsOutbox('6281234561101');
      expect([message.code, message.sentAt]).toEqual(['8642', '2031-01-01T00:00:00.000Z']);
      now += 60_000;
      const late = await client.post('/v2/otp/verify', { msisdn: '6281234561101', otp: '8642' });
      expect([late.status, late.body.message]).toEqual([
        422,
        'OTP cannot be verified because Time limit exceeded',
      ]);
      await new VerihubsClient(own.url).post('/v2/otp/send', { msisdn: '6281234561102' });
      expect(own.latestCode('6281234561102')).toBe('1357');
    } finally {
      await sandbox.close();
      await own.close();
    }
  });
});

/**
 * The built command. `npm test` builds `dist/` first; `VERIFYNOW_TEST_DIST` points
 * at another build (e.g. `tsc -p tsconfig.build.json --outDir /tmp/sbx-dist`),
 * which finds its dependencies through `NODE_PATH`.
 */
describe('the verifynow-sandbox command and --provider', () => {
  const dist = process.env.VERIFYNOW_TEST_DIST ?? join(__dirname, '..', 'dist');
  const cli = join(dist, 'sandbox', 'sandbox.cli.js');
  let running: RunningScript | undefined;

  afterEach(() => {
    running?.process.kill('SIGKILL');
  });

  const run = (args: string[]): RunningScript => {
    running = runScript(cli, args, { NODE_PATH: join(__dirname, '..', 'node_modules') });
    return running;
  };

  /** The status of a VerifyNow token request and of a Verihubs send. */
  async function probe(url: string, headers = AUTH): Promise<[number, number]> {
    const key = Buffer.from('pw').toString('base64');
    const token = await request(`${url}/auth/v1/authentication/token?customerId=C&key=${key}`);
    const sent = await new VerihubsClient(url, headers).post('/v2/otp/send', {
      msisdn: '6281234562001',
    });
    return [token.status, sent.status];
  }

  it.each([
    [[], 'VerifyNow, Verihubs', [200, 201]],
    [['--provider', 'both'], 'VerifyNow, Verihubs', [200, 201]],
    [['--provider=verifynow'], 'VerifyNow', [200, 404]],
    [['--provider', 'verihubs'], 'Verihubs', [404, 201]],
  ])('%j serves %s', async (args, serving, statuses) => {
    const sandbox = run(['--port', '0', ...args]);
    const [, url, named] = await sandbox.waitFor(/listening on (http:\/\/\S+) \(serving ([^)]+)\)/);
    expect(named).toBe(serving);
    expect(await probe(url)).toEqual(statuses);
    expect((await request(`${url}/sandbox/outbox`)).status).toBe(200);
  });

  it('accepts only the App-ID and API-Key given, and prints each Verihubs code masked', async () => {
    const sandbox = run([
      '--port=0',
      '--provider=verihubs',
      '--code',
      '246813',
      '--verihubs-app-id',
      'app-cli',
      '--verihubs-api-key=key-cli',
    ]);
    const [, url] = await sandbox.waitFor(/listening on (http:\/\/\S+)/);
    expect((await probe(url))[1]).toBe(401);
    expect((await probe(url, { 'App-ID': 'app-cli', 'API-Key': 'wrong' }))[1]).toBe(401);
    expect((await probe(url, { 'App-ID': 'app-cli', 'API-Key': 'key-cli' }))[1]).toBe(201);
    const [line] = await sandbox.waitFor(/code 246813 for Verihubs session \S+ \(\+\*+2001, sms\)/);
    expect(line).not.toContain('6281234562001');
    sandbox.process.kill('SIGTERM');
    await expect(sandbox.exit).resolves.toEqual({ code: 0, signal: null });
  });

  it('refuses an unknown provider and an empty App-ID with exit code 2', async () => {
    const unknown = run(['--provider', 'twilio']);
    await expect(unknown.exit).resolves.toEqual({ code: 2, signal: null });
    expect(unknown.output()).toContain('--provider must be verifynow, verihubs or both');
    const empty = run(['--verihubs-app-id=']);
    await expect(empty.exit).resolves.toEqual({ code: 2, signal: null });
    expect(empty.output()).toContain('--verihubs-app-id must not be empty');
  });

  it('documents --provider and both magic number tables in --help', async () => {
    const help = run(['--help']);
    await expect(help.exit).resolves.toEqual({ code: 0, signal: null });
    const text = help.output();
    for (const expected of [
      '--provider <name>',
      '--verihubs-app-id <id>',
      '--verihubs-api-key <key>',
      '6282123060007  200 OTP has been verified',
      '6282123060011  no answer: the connection is reset',
      '+6282123060006  429 Too many request in the allowed time frame',
    ]) {
      expect(text).toContain(expected);
    }
  });
});
