import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

/** What a fake upstream does with one request. */
export type FakeHandler = (request: IncomingMessage, response: ServerResponse, url: URL) => void;

/**
 * A loopback HTTP server whose answers a test writes by hand, for answers the
 * sandbox does not give (truncated JSON, tokens without `exp`...). Counts the
 * requests per path.
 */
export class FakeUpstream {
  readonly hits = new Map<string, number>();
  private readonly server: Server;
  url = '';

  constructor(private handler: FakeHandler) {
    this.server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://fake');
      this.hits.set(url.pathname, (this.hits.get(url.pathname) ?? 0) + 1);
      request.resume();
      this.handler(request, response, url);
    });
  }

  static async start(handler: FakeHandler): Promise<FakeUpstream> {
    const upstream = new FakeUpstream(handler);
    await new Promise<void>((resolve) => upstream.server.listen(0, '127.0.0.1', resolve));
    upstream.url = `http://127.0.0.1:${(upstream.server.address() as AddressInfo).port}`;
    return upstream;
  }

  /** Replaces how the server answers from now on. */
  answer(handler: FakeHandler): void {
    this.handler = handler;
  }

  hitsOn(path: string): number {
    return this.hits.get(path) ?? 0;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** Answers JSON with a status. */
export function json(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(text);
}

/** An unsigned JWT-shaped token with the given claims. */
export function fakeJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS512' })}.${part(claims)}.c2lnbmF0dXJl`;
}

export const SEND_PATH = '/verification/v3/send';
export const VALIDATE_PATH = '/verification/v3/validateOtp';
export const TOKEN_PATH = '/auth/v1/authentication/token';

/** A successful send answer. */
export function sendSuccess(verificationId = '1001'): Record<string, unknown> {
  return {
    responseCode: 200,
    message: 'SUCCESS',
    data: {
      verificationId,
      mobileNumber: '9999900001',
      responseCode: '200',
      errorMessage: null,
      timeout: '60',
      smCLI: null,
      transactionId: 'tx-1',
    },
  };
}
