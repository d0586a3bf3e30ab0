import { IncomingHttpHeaders } from 'node:http';
import { SandboxReply } from '../../../sandbox/sandbox.replies';
import { SandboxRouter } from '../../../sandbox/sandbox.router';
import { VERIFYNOW_SANDBOX_PATHS, verifyNowSandboxRoutes } from './verifynow-sandbox.routes';
import { VerifyNowSandboxState } from './verifynow-sandbox.state';

const KEY = Buffer.from('any').toString('base64');

/** VerifyNow's route table in a router, called with parsed requests: no sockets. */
function setup() {
  const state = new VerifyNowSandboxState({ code: '1234', now: () => Date.UTC(2030, 0, 1) });
  const router = new SandboxRouter().add(verifyNowSandboxRoutes(state));
  const call = (
    method: string,
    path: string,
    query: Record<string, string> = {},
    headers: IncomingHttpHeaders = {},
  ): SandboxReply => router.handle({ method, path, query: new URLSearchParams(query), headers });
  const token = state.tokens.issue('C-1', KEY, 'NEW').json.token ?? '';
  return { state, router, call, token };
}

/** The JSON body (or HTML text) of a reply, loosely typed for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (reply: SandboxReply): any => ('json' in reply ? reply.json : reply.html);
const SEND = { countryCode: '91', mobileNumber: '9999900001', flowType: 'SMS' };

describe('VerifyNow sandbox routes', () => {
  it('serves the token endpoint on GET only, 405 with Allow otherwise', () => {
    const { call } = setup();
    const path = VERIFYNOW_SANDBOX_PATHS.token;
    expect(json(call('GET', path, { customerId: 'C-1', key: KEY }))).toEqual({
      status: 200,
      token: expect.any(String),
    });
    const refused = call('POST', path);
    expect(refused).toMatchObject({ status: 405, headers: { Allow: 'GET' } });
    expect(json(refused)).toMatchObject({ status: 405, error: 'Method Not Allowed', path });
  });

  it('serves send on POST (v3 and v2 paths) and validate on GET (v3, its trailing slash, v2)', () => {
    const { call, token } = setup();
    const headers = { authtoken: token };
    const sent = json(call('POST', '/verification/v3/send', SEND, headers));
    expect(sent).toMatchObject({ responseCode: 200 });
    expect(call('GET', '/verification/v3/send', SEND, headers)).toMatchObject({
      status: 405,
      headers: { Allow: 'POST' },
    });
    const v2 = { ...SEND, customerId: 'C-1', mobileNumber: '9999900002' };
    const sentV2 = json(call('POST', '/verification/v2/verification/send', v2, headers));
    expect(sentV2).toMatchObject({ responseCode: 200 });
    const check = { verificationId: sent.data.verificationId as string, code: '0000' };
    for (const path of ['/verification/v3/validateOtp', '/verification/v3/validateOtp/']) {
      expect(json(call('GET', path, check, headers))).toMatchObject({ responseCode: 702 });
    }
    const checkV2 = { customerId: 'C-1', verificationId: sentV2.data.verificationId, code: '1234' };
    const path = '/verification/v2/verification/validateOtp';
    expect(json(call('GET', path, checkV2, headers))).toMatchObject({ responseCode: 200 });
    expect(call('POST', path, checkV2, headers)).toMatchObject({ status: 405 });
  });

  it.each([
    ['POST', '/verification/v3/send', SEND],
    ['GET', '/verification/v3/validateOtp', { verificationId: '1', code: '1234' }],
  ])('%s %s: 401 without a valid token, 501 for another customerId', (method, path, query) => {
    const { call, token } = setup();
    expect(call(method, path, query)).toEqual({
      status: 401,
      json: { status: 401, error: 'Unauthorized' },
    });
    expect(call(method, path, query, { authtoken: 'nope' }).status).toBe(401);
    // A repeated header counts by its first value.
    expect(json(call(method, path, query, { authtoken: [token, 'x'] }))).not.toMatchObject({
      status: 401,
    });
    const other = call(method, path, { ...query, customerId: 'C-2' }, { authtoken: token });
    expect(json(other)).toEqual({ responseCode: 501, message: 'INVALID_CUSTOMER_ID', data: null });
  });

  it.each([
    ['POST', '/verification/v2/verification/send', SEND],
    ['GET', '/verification/v2/verification/validateOtp', { verificationId: '1', code: '1' }],
  ])('%s %s needs the customerId: 400 without it', (method, path, query) => {
    const { call, token } = setup();
    expect(json(call(method, path, query, { authtoken: token }))).toEqual({
      responseCode: 400,
      message: 'customerId is required',
      data: null,
    });
  });

  it('counts the requests each endpoint handles, refused ones included, 405s not', () => {
    const { router, call, token } = setup();
    call('GET', VERIFYNOW_SANDBOX_PATHS.token, {});
    call('POST', '/verification/v3/send', SEND);
    call('POST', '/verification/v2/verification/send', SEND, { authtoken: token });
    call('GET', '/verification/v3/send', SEND);
    call('GET', '/verification/v3/validateOtp/', {});
    expect(['token', 'send', 'validate'].map((name) => router.count(name))).toEqual([1, 2, 1]);
  });
});
