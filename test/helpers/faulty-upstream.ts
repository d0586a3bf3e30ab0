import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { fakeJwt } from './fake-upstream';

/** The ways the upstream can misbehave. */
export type Fault =
  | 'healthy'
  | 'slow'
  | 'silent'
  | 'reset-before-read'
  | 'reset-after-read'
  | 'html-500'
  | 'truncated-json'
  | 'malformed-json'
  | 'error-in-200'
  | '401-forever'
  | '429-retry-after'
  | 'drip';

export const CUSTOMER_ID = 'C-FAULTS';

/**
 * A loopback upstream that answers send and validate with the chosen fault (the
 * token endpoint stays healthy unless `faultyToken`; `reset-before-read` spares
 * no connection), counting what it received: connections, and requests read per path.
 */
export class FaultyUpstream {
  fault: Fault = 'healthy';
  /** Apply the fault to the token endpoint as well. */
  faultyToken = false;
  /** How long `slow` waits before answering. */
  slowMs = 2_000;
  /** The `Retry-After` of `429-retry-after`, in seconds. */
  retryAfterSeconds = 7;
  connections = 0;
  private readonly requests = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly server: Server;
  private nextId = 7000;
  url = '';

  private constructor() {
    this.server = createServer((request, response) => this.handle(request, response));
    this.server.on('connection', (socket: Socket) => {
      this.connections += 1;
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      // Before the request is read, the path is unknown: every connection goes.
      if (this.fault === 'reset-before-read') {
        socket.resetAndDestroy();
      }
    });
  }

  static async start(): Promise<FaultyUpstream> {
    const upstream = new FaultyUpstream();
    await new Promise<void>((resolve) => upstream.server.listen(0, '127.0.0.1', resolve));
    upstream.url = `http://127.0.0.1:${(upstream.server.address() as AddressInfo).port}`;
    return upstream;
  }

  /** Requests read on a path, e.g. `'/verification/v3/send'`. */
  received(path: string): number {
    return this.requests.get(path) ?? 0;
  }

  /** Closes every open connection, so that the next request opens a new one. */
  async dropConnections(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    // Let the client see the close before it picks a connection again.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }

  /** Forgets the counts (not the fault). */
  resetCounts(): void {
    this.requests.clear();
    this.connections = 0;
  }

  /** Stops the server, its pending answers, and every socket it holds open. */
  close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private later(ms: number, work: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      work();
    }, ms);
    this.timers.add(timer);
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://upstream');
    this.requests.set(url.pathname, (this.requests.get(url.pathname) ?? 0) + 1);
    request.resume();
    const isToken = url.pathname === '/auth/v1/authentication/token';
    const fault = isToken && !this.faultyToken ? 'healthy' : this.fault;
    const ok = isToken ? { status: 200, token: fakeJwt({ sub: CUSTOMER_ID }) } : this.success(url);
    switch (fault) {
      case 'healthy':
        return json(response, 200, ok);
      case 'slow':
        return this.later(this.slowMs, () => json(response, 200, ok));
      case 'silent':
        return;
      case 'reset-before-read':
      case 'reset-after-read':
        request.socket.resetAndDestroy();
        return;
      case 'html-500':
        response.writeHead(500, { 'content-type': 'text/html' });
        response.end('<html><body><h1>Whitelabel Error Page</h1></body></html>');
        return;
      case 'truncated-json':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"responseCode":200,"message":"SUCCESS","data":{"verificationId":"70');
        return;
      case 'malformed-json':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end("{responseCode: 200, message: 'SUCCESS'}");
        return;
      case 'error-in-200':
        return json(response, 200, {
          responseCode: 800,
          message: 'MAXIMUM_LIMIT_REACHED',
          data: null,
        });
      case '401-forever':
        return json(response, 401, { status: 401, error: 'Unauthorized' });
      case '429-retry-after':
        response.setHeader('Retry-After', String(this.retryAfterSeconds));
        return json(response, 429, { status: 429, error: 'Too Many Requests' });
      case 'drip':
        return this.drip(response, JSON.stringify(ok));
    }
  }

  /** Sends the headers at once, then one byte of the body every 100 ms. */
  private drip(response: ServerResponse, body: string): void {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    let sent = 0;
    const next = (): void => {
      if (response.destroyed) return;
      response.write(body[sent]);
      sent += 1;
      if (sent < body.length) this.later(100, next);
      else response.end();
    };
    next();
  }

  private success(url: URL): Record<string, unknown> {
    if (url.pathname.includes('validate')) {
      return {
        responseCode: 200,
        message: 'SUCCESS',
        data: {
          verficationId: url.searchParams.get('verificationId'),
          mobileNumber: '9999900001',
          verificationStatus: 'VERIFICATION_COMPLETED',
        },
      };
    }
    this.nextId += 1;
    return {
      responseCode: 200,
      message: 'SUCCESS',
      data: {
        verificationId: String(this.nextId),
        mobileNumber: url.searchParams.get('mobileNumber'),
        timeout: '60',
      },
    };
  }
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
