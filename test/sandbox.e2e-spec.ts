import { join } from 'node:path';
import { VerifyNowSandbox } from '../lib';
import { RunningScript, runScript } from './helpers/child-process';
import { ManualClock } from './helpers/verifynow-context';
import { HttpAnswer, RawAnswer, rawRequest, request } from './helpers/http';

const TOKEN = '/auth/v1/authentication/token';
const SEND = '/verification/v3/send';
const VALIDATE = '/verification/v3/validateOtp';
const KEY = Buffer.from('any password').toString('base64');

/** The upstream's HTTP API, called by hand as curl or Postman would. */
class RawClient {
  constructor(private readonly base: string) {}

  async token(customerId = 'C-RAW', key = KEY): Promise<string> {
    const answer = await this.get(TOKEN, { customerId, key, scope: 'NEW' });
    return answer.body.token as string;
  }

  get(path: string, query: Record<string, string>, token?: string): Promise<HttpAnswer> {
    return request(`${this.base}${path}?${new URLSearchParams(query).toString()}`, {
      headers: token ? { authToken: token } : {},
    });
  }

  post(path: string, query: Record<string, string>, token?: string): Promise<HttpAnswer> {
    return request(`${this.base}${path}?${new URLSearchParams(query).toString()}`, {
      method: 'POST',
      headers: token ? { authToken: token } : {},
    });
  }

  send(
    token: string,
    countryCode: string,
    mobileNumber: string,
    extra: Record<string, string> = {},
  ) {
    return this.post(SEND, { countryCode, mobileNumber, flowType: 'SMS', ...extra }, token);
  }
}

describe('the sandbox speaks the upstream HTTP API', () => {
  let sandbox: VerifyNowSandbox;
  let client: RawClient;
  let token: string;
  const clock = new ManualClock();

  beforeAll(async () => {
    sandbox = await VerifyNowSandbox.start({ now: () => clock.now() });
    client = new RawClient(sandbox.url);
    token = await client.token();
  });
  afterAll(() => sandbox.close());

  it('issues an HS512 JWT carrying sub, iat and exp', async () => {
    const answer = await client.get(TOKEN, {
      customerId: 'C-RAW',
      key: KEY,
      scope: 'NEW',
      country: '91',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 200, token: expect.any(String) });
    const [header, payload] = (answer.body.token as string).split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toMatchObject({ alg: 'HS512' });
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    expect(claims).toMatchObject({ sub: 'C-RAW' });
    expect(claims.exp - claims.iat).toBe(3600);
  });

  it('answers the documented success shape for a send', async () => {
    const answer = await client.send(token, '91', '9999900801');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      responseCode: 200,
      message: 'SUCCESS',
      data: {
        verificationId: expect.stringMatching(/^\d+$/),
        mobileNumber: '9999900801',
        responseCode: '200',
        errorMessage: null,
        timeout: '60',
        smCLI: null,
        transactionId: expect.any(String),
      },
    });
    const code = sandbox.latestCode('+919999900801')!;
    expect(code).toMatch(/^\d{4}$/); // the upstream's default length
    const validated = await client.get(
      VALIDATE,
      { verificationId: answer.body.data.verificationId, code },
      token,
    );
    expect(validated.body).toEqual({
      responseCode: 200,
      message: 'SUCCESS',
      data: {
        verficationId: answer.body.data.verificationId,
        mobileNumber: '9999900801',
        responseCode: '200',
        errorMessage: null,
        verificationStatus: 'VERIFICATION_COMPLETED',
        authToken: null,
        transactionId: answer.body.data.transactionId,
      },
    });
  });

  it('answers the seed table verbatim', async () => {
    const expected: [string, number, string][] = [
      ['82123060001', 201, 'OTP sent successfully'],
      ['82123060002', 400, 'Msisdn invalid: msisdn length should between 4-16 characters'],
      ['82123060003', 401, 'Authorization failed'],
      ['82123060004', 403, 'OTP testing quota is insufficient'],
      ['82123060005', 409, 'Msisdn invalid: msisdn has been blocked'],
      ['82123060006', 429, 'Too many request in the allowed time frame'],
    ];
    for (const [number, status, message] of expected) {
      const answer = await client.send(token, '62', number);
      expect([number, answer.status, answer.body.message]).toEqual([number, status, message]);
    }
  });

  it('refuses calls without a valid token with 401', async () => {
    expect((await client.send('', '91', '9999900802')).status).toBe(401);
    expect((await client.send(`${token}x`, '91', '9999900802')).status).toBe(401);
    expect((await client.get(VALIDATE, { verificationId: '1', code: '1234' })).status).toBe(401);
  });

  it('reports bad credentials inside an HTTP 200', async () => {
    const strict = await VerifyNowSandbox.start({ customerId: 'C-ONE', password: 'right' });
    try {
      const raw = new RawClient(strict.url);
      const wrongId = await raw.get(TOKEN, {
        customerId: 'C-TWO',
        key: Buffer.from('right').toString('base64'),
      });
      expect([wrongId.status, wrongId.body]).toEqual([
        200,
        { status: 400, error: 'customerId is invalid' },
      ]);
      const wrongKey = await raw.get(TOKEN, {
        customerId: 'C-ONE',
        key: Buffer.from('wrong').toString('base64'),
      });
      expect([wrongKey.status, wrongKey.body]).toEqual([
        200,
        { status: 400, error: 'password is wrong' },
      ]);
    } finally {
      await strict.close();
    }
  });

  it('checks parameters like the upstream: 400 BAD_REQUEST, 511 for an unknown country', async () => {
    expect((await client.send(token, '91', '12')).body).toMatchObject({ responseCode: 400 });
    expect((await client.send(token, '91', '9999900803', { flowType: 'FAX' })).body).toMatchObject({
      responseCode: 400,
    });
    expect((await client.send(token, '91', '9999900803', { otpLength: '9' })).body).toMatchObject({
      responseCode: 400,
    });
    expect((await client.send(token, '999', '9999900803')).body).toMatchObject({
      responseCode: 511,
    });
    expect(
      (await client.get(VALIDATE, { verificationId: 'x', code: '1234' }, token)).body,
    ).toMatchObject({ responseCode: 400 });
  });

  it('answers a wrong method with 405 and an unknown path with a Whitelabel HTML 404', async () => {
    const wrongMethod = await client.get(SEND, {}, token);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect((await client.post(TOKEN, {})).status).toBe(405);
    const unknown = await client.get('/verification/v4/send', {});
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('text/html');
    expect(unknown.body).toContain('Whitelabel Error Page');
  });

  it('serves the v2 paths, which need the customer id', async () => {
    const v2Send = '/verification/v2/verification/send';
    const without = await client.post(
      v2Send,
      { countryCode: '91', mobileNumber: '9999900804', flowType: 'SMS' },
      token,
    );
    expect(without.body).toMatchObject({ responseCode: 400 });
    const sent = await client.post(
      v2Send,
      {
        customerId: 'C-RAW',
        countryCode: '91',
        mobileNumber: '9999900804',
        flowType: 'SMS',
        otpLength: '6',
      },
      token,
    );
    expect(sent.body).toMatchObject({ responseCode: 200 });
    const validated = await client.get(
      '/verification/v2/verification/validateOtp',
      {
        customerId: 'C-RAW',
        verificationId: sent.body.data.verificationId,
        code: sandbox.latestCode('919999900804')!,
      },
      token,
    );
    expect(validated.body).toMatchObject({ responseCode: 200 });
  });

  it('answers 501 when the customer id does not match the token', async () => {
    const answer = await client.send(token, '91', '9999900805', { customerId: 'C-OTHER' });
    expect(answer.body).toMatchObject({ responseCode: 501 });
  });

  it('expires a code after its timeout: 705, and a new send is then allowed', async () => {
    const sent = await client.send(token, '91', '9999900806');
    const code = sandbox.latestCode('+919999900806')!;
    expect((await client.send(token, '91', '9999900806')).body).toMatchObject({
      responseCode: 506,
      data: { verificationId: sent.body.data.verificationId },
    });
    clock.advance(60_000);
    const late = await client.get(
      VALIDATE,
      { verificationId: sent.body.data.verificationId, code },
      token,
    );
    expect(late.body).toMatchObject({ responseCode: 705, message: 'VERIFICATION_EXPIRED' });
    expect((await client.send(token, '91', '9999900806')).body).toMatchObject({
      responseCode: 200,
    });
  });

  it('refuses its own tokens once they expire or are revoked', async () => {
    const fresh = await client.token();
    clock.advance(3_600_000);
    expect((await client.send(fresh, '91', '9999900807')).status).toBe(401);
    const next = await client.token();
    sandbox.revokeTokens();
    expect((await client.send(next, '91', '9999900807')).status).toBe(401);
    token = await client.token();
    expect((await client.send(token, '91', '9999900807')).status).toBe(200);
  });

  it('lists the codes it sent at GET /sandbox/outbox', async () => {
    await client.send(token, '91', '9999900808');
    const all = await request(`${sandbox.url}/sandbox/outbox`);
    expect(all.body.messages.length).toBeGreaterThan(1);
    const one = await request(`${sandbox.url}/sandbox/outbox?phoneNumber=%2B919999900808`);
    expect(one.body.messages).toEqual([
      expect.objectContaining({
        phoneNumber: '+919999900808',
        code: sandbox.latestCode('+919999900808'),
      }),
    ]);
  });

  it('uses a fixed code when given one', async () => {
    const fixed = await VerifyNowSandbox.start({ code: '246810' });
    try {
      const raw = new RawClient(fixed.url);
      const own = await raw.token();
      await raw.send(own, '91', '9999900809', { otpLength: '6' });
      expect(fixed.latestCode('+919999900809')).toBe('246810');
    } finally {
      await fixed.close();
    }
  });
});

/**
 * One request to the sandbox's loopback socket carrying the given `Host` header,
 * or none at all.
 */
function withHost(
  base: string,
  target: string,
  host: string | undefined,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<RawAnswer> {
  return rawRequest(base, {
    method: options.method,
    target,
    setHost: false,
    headers: { ...options.headers, ...(host === undefined ? {} : { host }) },
  });
}

describe('VerifyNow beside Verihubs on one sandbox', () => {
  let sandbox: VerifyNowSandbox;
  let client: RawClient;

  beforeAll(async () => {
    sandbox = await VerifyNowSandbox.start({ code: '112233' });
    client = new RawClient(sandbox.url);
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  it("marks VerifyNow's messages with their provider, in outbox(), messages() and the outbox route", async () => {
    const token = await client.token();
    const sent = await client.send(token, '91', '9999900861', { otpLength: '6' });
    const [message] = sandbox.outbox('+919999900861');
    expect(message).toEqual({
      provider: 'verifynow',
      verificationId: sent.body.data.verificationId,
      countryCode: '91',
      mobileNumber: '9999900861',
      phoneNumber: '+919999900861',
      code: '112233',
      flowType: 'SMS',
      sentAt: expect.any(String),
    });
    expect(sandbox.messages()).toEqual([message]);
    expect(sandbox.verihubsOutbox()).toEqual([]);
    const listed = await request(`${sandbox.url}/sandbox/outbox`);
    expect(listed.body).toEqual({ messages: [message] });
  });

  it('keeps the VerifyNow counters as they were, the Verihubs ones at zero', async () => {
    const token = await client.token();
    await client.send(token, '91', '9999900862');
    expect(sandbox.stats()).toEqual({
      token: 1,
      send: 1,
      validate: 0,
      verihubsSend: 0,
      verihubsVerify: 0,
    });
  });

  it("answers VerifyNow's paths the same with providers: ['verifynow'], and 404 on Verihubs'", async () => {
    const only = await VerifyNowSandbox.start({ providers: ['verifynow'], code: '445566' });
    try {
      const raw = new RawClient(only.url);
      const token = await raw.token();
      const sent = await raw.send(token, '91', '9999900863', { otpLength: '6' });
      expect(sent.body).toMatchObject({ responseCode: 200, message: 'SUCCESS' });
      const validated = await raw.get(
        VALIDATE,
        { verificationId: sent.body.data.verificationId, code: only.latestCode('+919999900863')! },
        token,
      );
      expect(validated.body).toMatchObject({ responseCode: 200, message: 'SUCCESS' });
      const verihubs = await request(`${only.url}/v2/otp/send`, {
        method: 'POST',
        headers: { 'App-ID': 'a', 'API-Key': 'k', 'content-type': 'application/json' },
        body: JSON.stringify({ msisdn: '6281234567890' }),
      });
      expect(verihubs.status).toBe(404);
      expect(verihubs.body).toContain('Whitelabel Error Page');
    } finally {
      await only.close();
    }
  });
});

describe('the sandbox answers only loopback hosts (DNS rebinding)', () => {
  let sandbox: VerifyNowSandbox;
  let token: string;
  let port: string;

  beforeAll(async () => {
    sandbox = await VerifyNowSandbox.start({ code: '135790' });
    port = new URL(sandbox.url).port;
    token = await new RawClient(sandbox.url).token();
    await new RawClient(sandbox.url).send(token, '91', '9999900851', { otpLength: '6' });
  });
  afterAll(() => sandbox.close());

  const refusal = {
    status: 403,
    error: 'Forbidden',
    message: expect.stringContaining('only requests whose Host is a loopback name or address'),
  };

  it.each([
    'evil.example',
    'evil.example:4010',
    '127.0.0.1.evil.example',
    'localhost.evil.example',
    'localhost.evil.example:4010',
    'evil.localhost.example',
    'localhost-evil.example',
    'xlocalhost',
    '128.0.0.1',
    '0.0.0.0',
    '192.168.1.10',
    '10.0.0.1:4010',
    '127.1',
    '0x7f.0.0.1',
    '2130706433',
    '[::2]',
    '[::]',
    '[::ffff:192.0.2.1]',
    '[fe80::1%25lo]',
    '[::1',
    '[::1]x',
    '::1:4010',
    'localhost:http',
    'localhost:123456',
    'localhost:80:80',
    'user@localhost',
    'local host',
    '',
  ])('refuses Host %j with 403 on every path, before touching anything', async (host) => {
    const before = sandbox.stats();
    const outbox = await withHost(sandbox.url, '/sandbox/outbox', host);
    expect([outbox.status, outbox.body]).toEqual([403, refusal]);
    expect(JSON.stringify(outbox.body)).not.toContain('135790');
    expect(outbox.headers['content-type']).toBe('application/json');
    const paths: [string, string][] = [
      ['GET', `${TOKEN}?customerId=C-RAW&key=${KEY}`],
      ['POST', `${SEND}?countryCode=91&mobileNumber=9999900852&flowType=SMS`],
      ['GET', `${VALIDATE}?verificationId=1&code=135790`],
      ['GET', '/verification/v4/unknown'],
      ['DELETE', '/sandbox/outbox'],
    ];
    for (const [method, target] of paths) {
      const answer = await withHost(sandbox.url, target, host, {
        method,
        headers: { authToken: token },
      });
      expect([method, target, answer.status, answer.body]).toEqual([method, target, 403, refusal]);
    }
    expect(sandbox.stats()).toEqual(before);
  });

  it('refuses foreign Hosts on the Verihubs paths too, before touching anything', async () => {
    const before = sandbox.stats();
    for (const path of ['/v2/otp/send', '/v2/otp/verify/sandbox', '/v2/whatsapp/otp/send']) {
      const answer = await withHost(sandbox.url, path, 'evil.example', {
        method: 'POST',
        headers: { 'App-ID': 'a', 'API-Key': 'k' },
      });
      expect([path, answer.status, answer.body]).toEqual([path, 403, refusal]);
    }
    expect(sandbox.stats()).toEqual(before);
  });

  it('refuses a request without any Host header', async () => {
    const answer = await withHost(sandbox.url, '/sandbox/outbox', undefined);
    expect([answer.status, answer.body]).toEqual([403, refusal]);
  });

  it('refuses an absolute-form request whose target names a foreign host', async () => {
    const answer = await withHost(sandbox.url, 'http://evil.example/sandbox/outbox', 'localhost');
    expect([answer.status, answer.body]).toEqual([403, refusal]);
    const loopback = await withHost(
      sandbox.url,
      `http://127.0.0.1:${port}/sandbox/outbox`,
      'localhost',
    );
    expect(loopback.status).toBe(200);
  });

  it.each([
    () => 'localhost',
    () => `localhost:${port}`,
    () => 'LOCALHOST',
    () => 'localhost.',
    () => `localhost:`,
    () => `app.localhost:${port}`,
    () => 'a-1.b.localhost',
    () => `127.0.0.1:${port}`,
    () => '127.0.0.2',
    () => '127.255.255.254:1',
    () => `[::1]:${port}`,
    () => '[::1]',
    () => '[0:0:0:0:0:0:0:1]',
    () => '::1',
    () => '[::ffff:127.0.0.1]',
  ])('accepts Host %#, a loopback name or address', async (host) => {
    const outbox = await withHost(
      sandbox.url,
      '/sandbox/outbox?phoneNumber=%2B919999900851',
      host(),
    );
    expect(outbox.status).toBe(200);
    expect(outbox.body.messages).toEqual([
      expect.objectContaining({ phoneNumber: '+919999900851', code: '135790' }),
    ]);
  });

  it('serves the whole API to a loopback Host other than the address it listens on', async () => {
    const host = `[::1]:${port}`;
    const issued = await withHost(sandbox.url, `${TOKEN}?customerId=C-RAW&key=${KEY}`, host);
    expect(issued.body).toEqual({ status: 200, token: expect.any(String) });
    const sent = await withHost(
      sandbox.url,
      `${SEND}?countryCode=91&mobileNumber=9999900853&flowType=SMS&otpLength=6`,
      '127.0.0.2',
      { method: 'POST', headers: { authToken: issued.body.token } },
    );
    expect(sent.body).toMatchObject({ responseCode: 200 });
    const validated = await withHost(
      sandbox.url,
      `${VALIDATE}?verificationId=${sent.body.data.verificationId}&code=135790`,
      `localhost:${port}`,
      { headers: { authToken: issued.body.token } },
    );
    expect(validated.body).toMatchObject({ responseCode: 200, message: 'SUCCESS' });
  });
});

describe('the verifynow-sandbox command', () => {
  const cli = join(__dirname, '..', 'dist', 'sandbox', 'sandbox.cli.js');
  let running: RunningScript | undefined;

  afterEach(() => {
    running?.process.kill('SIGKILL');
  });

  const run = (args: string[], env: NodeJS.ProcessEnv = {}): RunningScript => {
    running = runScript(cli, args, env);
    return running;
  };

  it('serves the API on the port asked for and prints each code with the number masked', async () => {
    const sandbox = run(['--port', '0', '--code', '424242']);
    const [, url] = await sandbox.waitFor(/listening on (http:\/\/\S+)/);
    const client = new RawClient(url);
    const token = await client.token();
    const sent = await client.send(token, '91', '9999900901', { otpLength: '6' });
    expect(sent.body).toMatchObject({ responseCode: 200 });
    const [line] = await sandbox.waitFor(/code 424242 for verification \d+ \(\+\*+0901, SMS\)/);
    expect(line).not.toContain('9999900901');
    sandbox.process.kill('SIGTERM');
    await expect(sandbox.exit).resolves.toEqual({ code: 0, signal: null });
  });

  it('takes the fixed code from VERIFYNOW_SANDBOX_CODE', async () => {
    const sandbox = run(['--port=0'], { VERIFYNOW_SANDBOX_CODE: '97531' });
    const [, url] = await sandbox.waitFor(/listening on (http:\/\/\S+)/);
    const client = new RawClient(url);
    await client.send(await client.token(), '91', '9999900902');
    await sandbox.waitFor(/code 97531 for verification/);
  });

  it('refuses unknown arguments with exit code 2 and the usage', async () => {
    const sandbox = run(['--prot', '4010']);
    await expect(sandbox.exit).resolves.toEqual({ code: 2, signal: null });
    expect(sandbox.output()).toContain('unknown argument "--prot"');
    expect(sandbox.output()).toContain('Usage: verifynow-sandbox');
  });
});

describe('the embedded sandbox and the process', () => {
  it('does not keep a process whose application failed to start alive', async () => {
    const script = runScript(join(__dirname, 'fixtures', 'failed-start.js'), [], {
      VERIFYNOW_CUSTOMER_ID: '',
    });
    const timer = setTimeout(() => script.process.kill('SIGKILL'), 10_000);
    const exit = await script.exit;
    clearTimeout(timer);
    expect(script.output()).toContain('start failed: a provider failed to start');
    expect(exit).toEqual({ code: 0, signal: null });
  });
});
