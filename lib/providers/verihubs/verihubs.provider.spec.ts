import { createHash } from 'node:crypto';
import { resolveVerifyNowOptions } from '../../config/verifynow-options.resolver';
import {
  VerifyNowException,
  VerifyNowInvalidInputException,
} from '../../errors/verifynow.exception';
import { UpstreamHttpClient, createVerifyNowHttpService } from '../../http/upstream-http.client';
import {
  VerifyNowAuthenticationException,
  VerifyNowQuotaExceededException,
  VerifyNowRateLimitException,
  VerifyNowUnavailableException,
} from '../../http/upstream.exceptions';
import type { VerifyNowFlowType } from '../../interfaces/verifynow-module-options.interface';
import type { ParsedPhoneNumber } from '../../phone/phone-number.util';
import { Deadline } from '../../resilience/call.deadline';
import { upstreamCircuitBreaker } from '../../resilience/upstream.policy';
import { jsonReply } from '../../sandbox/sandbox.replies';
import { SandboxRequest, SandboxRouter } from '../../sandbox/sandbox.router';
import { SandboxServer } from '../../sandbox/sandbox.server';
import type { ProviderSendRequest } from '../otp-provider.interface';
import {
  InvalidVerificationIdException,
  VerificationExpiredException,
  VerifyNowBadRequestException,
  WrongOtpProvidedException,
} from '../verifynow/verifynow-code.exceptions';
import { VERIHUBS_SANDBOX_PATHS, verihubsSandboxRoutes } from './sandbox/verihubs-sandbox.routes';
import { VerihubsSandboxState } from './sandbox/verihubs-sandbox.state';
import type { VerihubsSandboxMessage } from './sandbox/verihubs-sandbox.types';
import { VerihubsBlockedNumberException } from './verihubs.exceptions';
import { DEFAULT_VERIHUBS_TEMPLATE, ResolvedVerihubsOptions } from './verihubs.options';
import { VerihubsProvider } from './verihubs.provider';

const APP_ID = 'app-id-31337';
const API_KEY = 'api-key-0f9e8d7c';
const MSISDN = '6281234567890';
const WHATSAPP = { templateName: 'otp_login', langCode: 'id' };

/** A number as the core hands it over, from Verihubs' msisdn. */
const phone = (msisdn = MSISDN): ParsedPhoneNumber => ({
  countryCode: msisdn.slice(0, 2),
  mobileNumber: msisdn.slice(2),
  e164: `+${msisdn}`,
});
const sendRequest = (fields: Partial<ProviderSendRequest> = {}): ProviderSendRequest => ({
  phone: phone(),
  flowType: 'SMS',
  otpLength: 6,
  purpose: null,
  ...fields,
});
const deadline = (): Deadline => Deadline.after(5_000);
const sendData = (msisdn: string, challenge = 'login', channel = 'sms'): string =>
  JSON.stringify({ msisdn, challenge, channel });
/** Everything an exception shows: its log text, its body, its own fields. */
const shown = (error: unknown): string =>
  error instanceof VerifyNowException
    ? `${error.message} ${JSON.stringify(error.getResponse())} ${JSON.stringify(error)}`
    : String(error);
/** What a promise rejects with. */
const rejection = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );

describe('VerihubsProvider, against the Verihubs sandbox over loopback', () => {
  const sent: VerihubsSandboxMessage[] = [];
  const state = new VerihubsSandboxState({ appId: APP_ID, apiKey: API_KEY }, (message) =>
    sent.push(message),
  );
  const server = new SandboxServer(new SandboxRouter().add(verihubsSandboxRoutes(state)));
  /** A fake Verihubs whose every answer the test writes, and the requests it got. */
  const echoed: SandboxRequest[] = [];
  let echo: (body: Record<string, unknown>) => { status: number; json: unknown } = () => ({
    status: 500,
    json: {},
  });
  const echoServer = new SandboxServer(
    new SandboxRouter().add([
      {
        method: 'POST',
        paths: Object.values(VERIHUBS_SANDBOX_PATHS).flat(),
        readsBody: true,
        handle: (request) => {
          echoed.push(request);
          const { status, json } = echo(
            JSON.parse(request.body ?? '{}') as Record<string, unknown>,
          );
          return jsonReply(status, json);
        },
      },
    ]),
  );
  const clients: UpstreamHttpClient[] = [];
  let url: string;
  let echoUrl: string;

  /** A provider towards `baseUrl` (the sandbox by default), with these Verihubs settings. */
  function provider(
    settings: Partial<ResolvedVerihubsOptions> = {},
    baseUrl = url,
  ): VerihubsProvider {
    const resolved = resolveVerifyNowOptions({ sandbox: true }, { NODE_ENV: 'test' });
    const options = {
      ...resolved,
      verihubs: {
        appId: APP_ID,
        apiKey: API_KEY,
        baseUrl,
        useProviderSandbox: false,
        template: DEFAULT_VERIHUBS_TEMPLATE,
        challenge: 'login',
        timeLimitSeconds: 300,
        whatsapp: WHATSAPP,
        callback: undefined,
        maxRequestsPerSecond: 0,
        ...settings,
      },
    };
    const client = new UpstreamHttpClient(
      createVerifyNowHttpService(baseUrl),
      options,
      upstreamCircuitBreaker(undefined),
      null,
    );
    clients.push(client);
    return new VerihubsProvider(options, client);
  }

  beforeAll(async () => {
    url = await server.listen();
    echoUrl = await echoServer.listen();
  });
  afterAll(async () => {
    clients.forEach((client) => client.onApplicationShutdown());
    await Promise.all([server.close(), echoServer.close()]);
  });
  beforeEach(() => {
    state.reset();
    server.clearRequests();
    sent.length = 0;
    echoed.length = 0;
  });

  it('sends a code it drew itself, then verifies it', async () => {
    const verihubs = provider();
    const result = await verihubs.send(sendRequest(), deadline());
    expect(sent).toHaveLength(1);
    const [{ code, sessionId, text, challenge, channel }] = sent;
    expect([code, challenge, channel]).toEqual([expect.stringMatching(/^\d{6}$/), 'login', 'sms']);
    expect(text).toBe(DEFAULT_VERIHUBS_TEMPLATE.replace('$OTP', code));
    expect(result).toEqual({
      verificationId: sessionId,
      timeoutSeconds: 300,
      transactionId: sessionId,
      pending: false,
      providerData: sendData(MSISDN),
    });
    expect(result.providerData).not.toContain(code);
    const request = { verificationId: result.verificationId, providerData: result.providerData };
    await expect(verihubs.verify({ ...request, code }, deadline())).resolves.toEqual({
      verificationId: sessionId,
      mobileNumber: '',
      status: 'VERIFICATION_COMPLETED',
      transactionId: null,
    });
  });

  it.each([4, 8, 10])('draws codes of otpLength digits (%i)', async (otpLength) => {
    await provider().send(sendRequest({ otpLength }), deadline());
    expect(sent[0].code).toMatch(new RegExp(`^\\d{${otpLength}}$`));
  });

  it('refuses a code length Verihubs does not take, before any call', async () => {
    for (const otpLength of [3, 11, 6.5]) {
      const error = await rejection(provider().send(sendRequest({ otpLength }), deadline()));
      expect(error).toBeInstanceOf(VerifyNowInvalidInputException);
    }
    expect(server.requests()).toEqual([]);
  });

  it('answers a wrong code with WrongOtpProvidedException, never showing the right one', async () => {
    const verihubs = provider();
    const { verificationId, providerData } = await verihubs.send(sendRequest(), deadline());
    const right = sent[0].code;
    const code = right === '000000' ? '111111' : '000000';
    const error = await rejection(
      verihubs.verify({ verificationId, providerData, code }, deadline()),
    );
    expect(error).toBeInstanceOf(WrongOtpProvidedException);
    expect((error as VerifyNowException).getStatus()).toBe(401);
    expect(shown(error).includes(right)).toBe(false);
  });

  it.each<[string, new (...args: never[]) => VerifyNowException, number]>([
    ['6282123060002', VerifyNowBadRequestException, 400],
    ['6282123060003', VerifyNowAuthenticationException, 500],
    ['6282123060004', VerifyNowQuotaExceededException, 503],
    ['6282123060005', VerihubsBlockedNumberException, 403],
    ['6282123060006', VerifyNowRateLimitException, 429],
    ['6282123060010', VerifyNowUnavailableException, 503],
    ['6282123060011', VerifyNowUnavailableException, 503],
    ['6282123060012', VerifyNowUnavailableException, 503],
  ])('send to the magic number %s throws %p (answered %i)', async (msisdn, type, status) => {
    const error = await rejection(
      provider().send(sendRequest({ phone: phone(msisdn) }), deadline()),
    );
    expect(error).toBeInstanceOf(type);
    expect((error as VerifyNowException).getStatus()).toBe(status);
    expect((error as VerifyNowException).operation).toBe('send');
    expect(shown(error)).not.toContain(msisdn);
  });

  it('tells the user a blocked number cannot receive codes', async () => {
    const error = await rejection(
      provider().send(sendRequest({ phone: phone('6282123060005') }), deadline()),
    );
    expect((error as VerifyNowException).getResponse()).toMatchObject({
      error: 'PHONE_NUMBER_BLOCKED',
      message: 'This phone number cannot receive codes.',
    });
  });

  it('verifies the magic numbers: 0007 passes, 0008 is a wrong code, 0009 an expired one', async () => {
    const verihubs = provider();
    const verify = (msisdn: string) =>
      verihubs.verify(
        { verificationId: 'v-1', code: '123456', providerData: sendData(msisdn) },
        deadline(),
      );
    await expect(verify('6282123060007')).resolves.toMatchObject({
      status: 'VERIFICATION_COMPLETED',
    });
    await expect(verify('6282123060008')).rejects.toBeInstanceOf(WrongOtpProvidedException);
    await expect(verify('6282123060009')).rejects.toBeInstanceOf(VerificationExpiredException);
    await expect(verify('6282123060010')).rejects.toBeInstanceOf(VerifyNowUnavailableException);
  });

  it('is refused with an API-Key the sandbox does not take', async () => {
    const error = await rejection(
      provider({ apiKey: 'another-key' }).send(sendRequest(), deadline()),
    );
    expect(error).toBeInstanceOf(VerifyNowAuthenticationException);
    expect(shown(error)).not.toContain('another-key');
  });

  it('sends and verifies WhatsApp codes with the configured template', async () => {
    const verihubs = provider();
    expect(verihubs.capabilities).toEqual({
      channels: ['SMS', 'WHATSAPP'],
      issuesVerificationIds: true,
      authentication: 'api-key',
    });
    const result = await verihubs.send(sendRequest({ flowType: 'WHATSAPP' }), deadline());
    expect(sent[0]).toMatchObject({
      channel: 'whatsapp',
      text: expect.stringContaining('otp_login (id)'),
    });
    expect(result.providerData).toBe(sendData(MSISDN, 'login', 'whatsapp'));
    const { verificationId, providerData } = result;
    await expect(
      verihubs.verify({ verificationId, providerData, code: sent[0].code }, deadline()),
    ).resolves.toMatchObject({ verificationId });
    expect(server.requests().map(({ path }) => path)).toEqual([
      '/v2/whatsapp/otp/send',
      '/v2/whatsapp/otp/verify',
    ]);
  });

  it('offers SMS only without WhatsApp settings, and refuses other channels', async () => {
    const smsOnly = provider({ whatsapp: undefined });
    expect(smsOnly.capabilities.channels).toEqual(['SMS']);
    for (const [verihubs, flowType] of [
      [smsOnly, 'WHATSAPP'],
      [provider(), 'RCS'],
    ] as const) {
      const error = await rejection(verihubs.send(sendRequest({ flowType }), deadline()));
      expect(error).toBeInstanceOf(VerifyNowInvalidInputException);
    }
    expect(server.requests()).toEqual([]);
  });

  it.each<[VerifyNowFlowType, string, string]>([
    ['SMS', '/v2/otp/send/sandbox', '/v2/otp/verify/sandbox'],
    ['WHATSAPP', '/v2/whatsapp/otp/send/sandbox', '/v2/whatsapp/otp/verify/sandbox'],
  ])('%s: calls the /sandbox paths with useProviderSandbox', async (flowType, send, verify) => {
    const verihubs = provider({ useProviderSandbox: true });
    const { verificationId, providerData } = await verihubs.send(
      sendRequest({ flowType }),
      deadline(),
    );
    await verihubs.verify({ verificationId, providerData, code: sent[0].code }, deadline());
    expect(server.requests().map(({ path }) => path)).toEqual([send, verify]);
  });

  it("binds a purpose's code to a challenge of its own: another purpose's is refused", async () => {
    const verihubs = provider();
    const transfer = await verihubs.send(sendRequest({ purpose: 'transfer' }), deadline());
    const email = await verihubs.send(sendRequest({ purpose: 'email-change' }), deadline());
    const digest = createHash('sha256').update('transfer').digest('hex').slice(0, 24);
    expect(sent.map(({ challenge }) => challenge)).toEqual([
      `login-${digest}`,
      expect.stringMatching(/^login-[0-9a-f]{24}$/),
    ]);
    expect(sent[1].challenge).not.toBe(sent[0].challenge);
    const code = sent[0].code;
    // The transfer's code, checked under the e-mail change's challenge.
    const crossed = { verificationId: transfer.verificationId, providerData: email.providerData };
    await expect(verihubs.verify({ ...crossed, code }, deadline())).rejects.toBeInstanceOf(
      WrongOtpProvidedException,
    );
    const own = { verificationId: transfer.verificationId, providerData: transfer.providerData };
    await expect(verihubs.verify({ ...own, code }, deadline())).resolves.toMatchObject({
      status: 'VERIFICATION_COMPLETED',
    });
  });

  it('refuses to verify without readable send data, before any call', async () => {
    const verihubs = provider();
    for (const providerData of [
      undefined,
      'not json',
      '[]',
      '{}',
      sendData(`+${MSISDN}`),
      sendData(MSISDN, 'login', 'rcs'),
      JSON.stringify({ msisdn: MSISDN, channel: 'sms' }),
    ]) {
      const error = await rejection(
        verihubs.verify({ verificationId: 'v-1', code: '123456', providerData }, deadline()),
      );
      expect(error).toBeInstanceOf(InvalidVerificationIdException);
    }
    expect(server.requests()).toEqual([]);
  });

  it('posts the documented bodies with App-ID and API-Key', async () => {
    echo = () => ({ status: 201, json: { message: 'OTP sent successfully', session_id: 's-1' } });
    const verihubs = provider({ timeLimitSeconds: 120 }, echoUrl);
    await verihubs.send(sendRequest(), deadline());
    await verihubs.send(sendRequest({ flowType: 'WHATSAPP', otpLength: 4 }), deadline());
    echo = () => ({ status: 200, json: { message: 'OTP has been verified' } });
    await verihubs.verify(
      { verificationId: 's-1', code: '1234', providerData: sendData(MSISDN) },
      deadline(),
    );
    const [sms, whatsapp, verify] = echoed.map(
      (request) => JSON.parse(request.body ?? '') as Record<string, unknown>,
    );
    const otp = expect.stringMatching(/^\d+$/);
    expect(sms).toEqual({
      msisdn: MSISDN,
      template: DEFAULT_VERIHUBS_TEMPLATE,
      otp,
      time_limit: '120',
      challenge: 'login',
    });
    expect(whatsapp).toEqual({
      msisdn: MSISDN,
      otp,
      time_limit: '120',
      challenge: 'login',
      lang_code: 'id',
      template_name: 'otp_login',
      otp_length: '4',
    });
    expect(whatsapp.otp).toHaveLength(4);
    expect(verify).toEqual({ msisdn: MSISDN, otp: '1234', challenge: 'login' });
    for (const { headers } of echoed) {
      expect(headers).toMatchObject({
        'app-id': APP_ID,
        'api-key': API_KEY,
        'content-type': 'application/json',
        accept: 'application/json',
      });
    }
  });

  it('takes the session_id as the id only when it looks like one', async () => {
    const verihubs = provider({}, echoUrl);
    for (const [session_id, id] of [
      ['abc_DEF-123', 'abc_DEF-123'],
      [12345, '12345'],
      ['has space', undefined],
      ['x'.repeat(129), undefined],
      [undefined, undefined],
    ] as const) {
      echo = () => ({ status: 200, json: { message: 'OTP sent successfully', session_id } });
      const result = await verihubs.send(sendRequest(), deadline());
      expect(result.transactionId).toBe(id ?? null);
      expect(result.verificationId).toEqual(id ?? expect.stringMatching(/^[0-9a-f-]{36}$/));
    }
  });

  it('never shows the code Verihubs echoes back, nor its keys or the whole number', async () => {
    const verihubs = provider({}, echoUrl);
    const leaks = (body: Record<string, unknown>): string =>
      `otp ${String(body.otp)} to ${MSISDN} with ${API_KEY} for ${APP_ID}`;
    const codes: string[] = [];
    const errors: unknown[] = [];
    let sendResult: unknown;
    for (const status of [201, 400, 401, 403, 404, 409, 418, 422, 429, 500]) {
      echo = (body) => {
        codes.push(String(body.otp));
        return { status, json: { message: leaks(body), otp: body.otp, session_id: 's-1' } };
      };
      await verihubs.send(sendRequest(), deadline()).then(
        (result) => (sendResult = result),
        (error: unknown) => errors.push(error),
      );
      echo = (body) => ({ status: status === 201 ? 202 : status, json: { message: leaks(body) } });
      const code = '482913';
      codes.push(code);
      const request = { verificationId: 's-1', code, providerData: sendData(MSISDN) };
      errors.push(await rejection(verihubs.verify(request, deadline())));
    }
    expect(errors.filter((error) => error instanceof VerifyNowException)).toHaveLength(19);
    const text = errors.map(shown).join('\n');
    // Booleans, so that a failure does not print what leaked.
    const leaked = [...codes, API_KEY, APP_ID, MSISDN].filter((secret) => text.includes(secret));
    expect(leaked).toHaveLength(0);
    expect(text.includes('*********7890')).toBe(true);
    // The one success: the number is kept (sealed) for the verify, the code is not.
    const kept = JSON.stringify(sendResult);
    expect(codes.some((code) => kept.includes(code))).toBe(false);
  });

  it('throws 503 when Verihubs is not configured, and reports itself down', async () => {
    const resolved = resolveVerifyNowOptions({ sandbox: true }, { NODE_ENV: 'test' });
    const verihubs = new VerihubsProvider(resolved, null);
    expect(verihubs.capabilities.channels).toEqual(['SMS']);
    await expect(verihubs.send(sendRequest(), deadline())).rejects.toBeInstanceOf(
      VerifyNowUnavailableException,
    );
    const request = { verificationId: 'v-1', code: '123456', providerData: sendData(MSISDN) };
    await expect(verihubs.verify(request, deadline())).rejects.toBeInstanceOf(
      VerifyNowUnavailableException,
    );
    await expect(verihubs.health()).resolves.toEqual({
      status: 'down',
      breaker: 'disabled',
      token: 'not checked',
      reason: 'NOT_CONFIGURED',
    });
  });

  it('reports itself up when configured, with no token to check', async () => {
    await expect(provider().health()).resolves.toEqual({
      status: 'up',
      breaker: 'disabled',
      token: 'not checked',
    });
  });
});
