/**
 * A minimal VerifyNow-shaped upstream for benchmarks, run as a child process so
 * that it has a core of its own: fixed answers, no state, as cheap as a server
 * can be, so that what is measured is the client.
 */
import { createServer } from 'node:http';
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

const server = createServer((request, response) => {
  request.resume();
  const url = request.url ?? '/';
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
  response.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
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
    process.send?.({ tokenRequests, connections });
  } else if (message === 'reset') {
    tokenRequests = 0;
    connections = 0;
    process.send?.({ reset: true });
  }
});
process.on('disconnect', () => process.exit(0));
