import { IncomingHttpHeaders, Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { RawAnswer, rawRequest } from '../../../../test/helpers/http';
import { SandboxRouter } from '../../../sandbox/sandbox.router';
import { SandboxServer } from '../../../sandbox/sandbox.server';
import { VERIHUBS_SANDBOX_PATHS, verihubsSandboxRoutes } from './verihubs-sandbox.routes';
import { VerihubsSandboxState } from './verihubs-sandbox.state';
import { VerihubsSandboxMessage } from './verihubs-sandbox.types';

const AUTH = { 'App-ID': 'app-1', 'API-Key': 'key-1' };
const MSISDN = '6281234567890';
const WHATSAPP = { template_name: 'otp_login', lang_code: 'id' };

/** Verihubs' routes behind a real SandboxServer on loopback, with real callbacks. */
describe('Verihubs sandbox routes, over loopback', () => {
  const sent: VerihubsSandboxMessage[] = [];
  const state = new VerihubsSandboxState({ appId: 'app-1', apiKey: 'key-1' }, (message) =>
    sent.push(message),
  );
  const router = new SandboxRouter().add(verihubsSandboxRoutes(state));
  const server = new SandboxServer(router);
  /** Where the callbacks arrive: each request's path and query. */
  const hooks: string[] = [];
  const hookServer: Server = createServer((request, response) => {
    hooks.push(request.url ?? '');
    response.end();
  });
  let url: string;
  let hookUrl: string;

  beforeAll(async () => {
    url = await server.listen();
    await new Promise<void>((resolve) => hookServer.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await server.close();
    hookServer.closeAllConnections();
    await new Promise((resolve) => hookServer.close(resolve));
  });
  beforeEach(() => {
    state.reset();
    router.resetCounts();
    sent.length = 0;
    hooks.length = 0;
  });

  const post = (
    path: string,
    body: unknown,
    headers: IncomingHttpHeaders = AUTH,
  ): Promise<RawAnswer> =>
    rawRequest(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it.each([
    ['SMS', VERIHUBS_SANDBOX_PATHS.smsSend, VERIHUBS_SANDBOX_PATHS.smsVerify, {}],
    [
      'WhatsApp',
      VERIHUBS_SANDBOX_PATHS.whatsappSend,
      VERIHUBS_SANDBOX_PATHS.whatsappVerify,
      WHATSAPP,
    ],
  ])(
    '%s: send 201 and verify 200, on the plain and the /sandbox paths',
    async (_, sends, verifies, extra) => {
      for (const [i, path] of sends.entries()) {
        expect(path.endsWith('/sandbox')).toBe(i === 1);
        const answer = await post(path, { msisdn: MSISDN, time_limit: '300', ...extra });
        expect(answer.status).toBe(201);
        expect(answer.headers['content-type']).toBe('application/json');
        expect(answer.body).toMatchObject({ message: 'OTP sent successfully', msisdn: MSISDN });
        expect(answer.body.otp).toBe(sent.at(-1)?.code);
        const verified = await post(verifies[i], { msisdn: MSISDN, otp: answer.body.otp });
        expect([verified.status, verified.body]).toEqual([
          200,
          { message: 'OTP has been verified' },
        ]);
      }
    },
  );

  it('answers 401 "Authorization failed" to a missing or wrong App-ID or API-Key', async () => {
    const refused = [
      {},
      { 'App-ID': 'app-1' },
      { ...AUTH, 'API-Key': 'key-2' },
      { ...AUTH, 'App-ID': '' },
    ];
    for (const headers of refused) {
      for (const path of Object.values(VERIHUBS_SANDBOX_PATHS).flat()) {
        const answer = await post(path, { msisdn: MSISDN, otp: '1234' }, headers);
        expect([answer.status, answer.body]).toEqual([401, { message: 'Authorization failed' }]);
      }
    }
    expect(sent).toEqual([]);
  });

  it('answers the 401 magic number even with the right headers', async () => {
    const answer = await post('/v2/otp/send/sandbox', { msisdn: '6282123060003' });
    expect([answer.status, answer.body]).toEqual([401, { message: 'Authorization failed' }]);
  });

  it('answers 400 to a body that is no JSON object, 405 to GET, 404 elsewhere', async () => {
    for (const body of ['{"msisdn":', '[]', '']) {
      const answer = await post('/v2/otp/send', body);
      expect([answer.status, answer.body]).toEqual([
        400,
        { message: 'Request body must be a JSON object' },
      ]);
    }
    const get = await rawRequest(`${url}/v2/otp/verify`);
    expect([get.status, get.headers.allow]).toEqual([405, 'POST']);
    expect((await post('/v2/flashcall/send', { msisdn: MSISDN })).status).toBe(404);
  });

  it('counts sends and verifies, refused ones included', async () => {
    await post('/v2/otp/send', { msisdn: MSISDN });
    await post('/v2/whatsapp/otp/send/sandbox', { msisdn: MSISDN }, {});
    await post('/v2/otp/verify/sandbox', { msisdn: MSISDN, otp: '1' });
    expect([router.count('verihubs.send'), router.count('verihubs.verify')]).toEqual([2, 1]);
  });

  it('calls callback_url back on a real server: Requested, Delivered, then Verified, its query kept', async () => {
    const callback_url = `${hookUrl}/hooks/otp?tenant=a%20b`;
    const answer = await post('/v2/otp/send', { msisdn: MSISDN, callback_url });
    await state.callbacks.idle();
    const id = answer.body.session_id as string;
    const expected = (status: number) =>
      `/hooks/otp?tenant=a%20b&session_id=${id}&status=${status}`;
    expect(hooks).toEqual([expected(0), expected(1)]);
    await post('/v2/otp/verify', { msisdn: MSISDN, otp: answer.body.otp });
    await state.callbacks.idle();
    expect(hooks).toEqual([expected(0), expected(1), expected(2)]);
  });

  it('answers 503 for 6282123060010, and drops the connection for 6282123060011', async () => {
    const unavailable = await post('/v2/otp/send', { msisdn: '6282123060010' });
    expect([unavailable.status, unavailable.body]).toEqual([
      503,
      { message: 'Service unavailable' },
    ]);
    for (const [path, body] of [
      ['/v2/otp/send', { msisdn: '6282123060011' }],
      ['/v2/otp/verify', { msisdn: '6282123060011', otp: '1234' }],
    ] as const) {
      const outcome = await post(path, body).then(
        (answer) => answer.status,
        (error: NodeJS.ErrnoException) => error.code,
      );
      expect([path, outcome]).toEqual([path, 'ECONNRESET']);
    }
    // The server keeps serving after dropping a connection.
    expect((await post('/v2/otp/send', { msisdn: MSISDN })).status).toBe(201);
  });
});
