/**
 * A minimal upstream for benchmarks, run as a child process so that it has a
 * core of its own, as cheap as a server can be, so that what is measured is the
 * client. VerifyNow-shaped: fixed answers, no state. Verihubs-shaped
 * (`POST /v2/otp/send`, `POST /v2/otp/verify`): the one state is the code each
 * send carried, by number and challenge (a bounded map), so that a verify is
 * answered 200 only with the code sent, 404 otherwise. A send's `session_id`
 * ends with `-<code>`: how the benchmark, like a user reading the SMS, learns
 * the code the module drew.
 */
import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

const claims = Buffer.from(
  JSON.stringify({
    sub: 'C-BENCH',
    iat: Math.floor(Date.now() / 1000),
    exp: Math.floor(Date.now() / 1000) + 3600,
  }),
).toString('base64url');
const token = `eyJhbGciOiJIUzUxMiJ9.${claims}.c2lnbmF0dXJl`;
const tokenBody = JSON.stringify({ status: 200, token });
let tokenRequests = 0;
let connections = 0;
let nextId = 100_000;
/** Verihubs: requests, and verifies answered 404 (or any other refusal). */
let verihubsRequests = 0;
let verihubsRefused = 0;
/** Verihubs: the code sent, by `<msisdn> <challenge>`; the oldest goes beyond the bound. */
const codes = new Map<string, string>();
const MAX_CODES = 10_000;

const reply = (response: ServerResponse, status: number, body: string): void => {
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
};

/** Verihubs' two SMS calls: JSON bodies, `App-ID` and `API-Key` on each. */
function verihubs(request: IncomingMessage, response: ServerResponse, url: string): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    verihubsRequests += 1;
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
    } catch {
      // Answered 400 below.
    }
    const { msisdn, otp, challenge } = json;
    const [appId, apiKey] = [request.headers['app-id'], request.headers['api-key']];
    const digits = (value: unknown): value is string =>
      typeof value === 'string' && /^\d{4,16}$/.test(value);
    if (!appId || !apiKey || !digits(msisdn) || !digits(otp)) {
      verihubsRefused += 1;
      reply(response, 400, '{"message":"bad request"}');
      return;
    }
    const key = `${msisdn} ${String(challenge)}`;
    if (url === '/v2/otp/send') {
      nextId += 1;
      codes.delete(key);
      codes.set(key, otp);
      if (codes.size > MAX_CODES) codes.delete(codes.keys().next().value as string);
      reply(
        response,
        201,
        `{"message":"OTP sent","otp":"${otp}","msisdn":"${msisdn}","session_id":"s-${nextId}-${otp}","try_count":0,"segment_count":1}`,
      );
    } else if (codes.get(key) === otp) {
      codes.delete(key);
      reply(response, 200, '{"message":"OTP verified"}');
    } else {
      verihubsRefused += 1;
      reply(response, 404, '{"message":"OTP not found"}');
    }
  });
}

const server = createServer((request, response) => {
  const url = request.url ?? '/';
  if (url === '/v2/otp/send' || url === '/v2/otp/verify') {
    verihubs(request, response, url);
    return;
  }
  request.resume();
  let body: string;
  if (url.startsWith('/auth/')) {
    tokenRequests += 1;
    body = tokenBody;
  } else if (url.startsWith('/verification/v3/send')) {
    nextId += 1;
    body = `{"responseCode":200,"message":"SUCCESS","data":{"verificationId":"${nextId}","mobileNumber":"9999900001","responseCode":"200","errorMessage":null,"timeout":"60","smCLI":null,"transactionId":"t-${nextId}"}}`;
  } else {
    const id = /verificationId=(\d+)/.exec(url)?.[1] ?? '0';
    body = `{"responseCode":200,"message":"SUCCESS","data":{"verficationId":"${id}","mobileNumber":"9999900001","responseCode":"200","errorMessage":null,"verificationStatus":"VERIFICATION_COMPLETED","authToken":null,"transactionId":"t-${id}"}}`;
  }
  reply(response, 200, body);
});
server.keepAliveTimeout = 60_000;
server.on('connection', () => {
  connections += 1;
});
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on('message', (message: unknown) => {
  if (message === 'stats') {
    process.send?.({ tokenRequests, connections, verihubsRequests, verihubsRefused });
  } else if (message === 'reset') {
    tokenRequests = 0;
    connections = 0;
    verihubsRequests = 0;
    verihubsRefused = 0;
    process.send?.({ reset: true });
  }
});
process.on('disconnect', () => process.exit(0));
