import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { BoundedList } from './sandbox.bounded-list';
import { FOREIGN_HOST_MESSAGE, isLoopbackRequest } from './sandbox.loopback';
import { SandboxReply, isResetReply, jsonReply, whitelabelReply } from './sandbox.replies';
import { SandboxRequest, SandboxRoute, SandboxRouter } from './sandbox.router';
import { VerifyNowSandboxRequest } from './sandbox.types';

/** The largest body a `readsBody` route is handed; a larger one gets 413. @internal */
export const SANDBOX_BODY_LIMIT = 1024 * 1024;

const FORBIDDEN = jsonReply(403, {
  status: 403,
  error: 'Forbidden',
  message: FOREIGN_HOST_MESSAGE,
});
const TOO_LARGE = jsonReply(413, { status: 413, error: 'Payload Too Large' });

/**
 * The sandbox's HTTP server, provider-neutral: it refuses requests whose `Host`
 * is not loopback (403), logs method and path of the others, hands them to its
 * router and writes the replies. Routes that ask for it get the body as text.
 *
 * @internal
 */
export class SandboxServer {
  private readonly server: Server;
  private readonly log = new BoundedList<VerifyNowSandboxRequest>();
  private address: string | undefined;

  constructor(private readonly router: SandboxRouter) {
    // A request without Host reaches handle(), which refuses it with a clear answer.
    this.server = createServer({ requireHostHeader: false }, (request, response) =>
      this.handle(request, response),
    );
    this.server.keepAliveTimeout = 5_000;
  }

  /** Starts listening and resolves with the base URL. */
  listen(port = 0, host = '127.0.0.1'): Promise<string> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const { port: bound } = this.server.address() as AddressInfo;
        this.address = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
        resolve(this.address);
      });
    });
  }

  /** The base URL, once listening. */
  get url(): string {
    if (this.address === undefined) {
      throw new Error('The VerifyNow sandbox is not listening yet: call listen() first.');
    }
    return this.address;
  }

  /** Lets the process exit while this server is all that is left listening. */
  unref(): void {
    this.server.unref();
  }

  /** Stops listening and closes every open connection. */
  close(): Promise<void> {
    if (!this.server.listening) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** The requests received from loopback hosts so far, newest last (at most the last 1000). */
  requests(): VerifyNowSandboxRequest[] {
    return this.log.filter();
  }

  /** Forgets the requests received so far. */
  clearRequests(): void {
    this.log.clear();
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    // DNS rebinding: a web page on a name that resolves to loopback could
    // otherwise read the outbox's codes. Only loopback names and addresses pass.
    if (!isLoopbackRequest(request)) {
      request.resume();
      return writeReply(response, FORBIDDEN);
    }
    const url = parseTarget(request.url ?? '/');
    if (url === undefined) {
      request.resume();
      return writeReply(response, whitelabelReply(400));
    }
    const method = request.method ?? 'GET';
    const path = url.pathname;
    this.log.push({ method, path });
    const match = this.router.match(method, path);
    if ('reply' in match) {
      request.resume();
      return writeReply(response, match.reply);
    }
    const parsed: SandboxRequest = {
      method,
      path,
      query: url.searchParams,
      headers: request.headers,
    };
    if (!match.route.readsBody) {
      // Routes that take every parameter in the query string: a body is read and dropped.
      request.resume();
      return this.answer(response, match.route, parsed);
    }
    readBody(request, SANDBOX_BODY_LIMIT).then(
      (body) =>
        body === undefined
          ? writeReply(response, TOO_LARGE)
          : this.answer(response, match.route, { ...parsed, body }),
      () => response.destroy(),
    );
  }

  /** Writes the route's reply; a route that throws gets a Whitelabel 500, not a crashed process. */
  private answer(response: ServerResponse, route: SandboxRoute, request: SandboxRequest): void {
    let reply: SandboxReply;
    try {
      reply = this.router.dispatch(route, request);
    } catch {
      reply = whitelabelReply(500);
    }
    writeReply(response, reply);
  }
}

/**
 * Writes a reply whole, with its `Content-Type` and `Content-Length`; a reset
 * reply instead drops the connection with a TCP reset, unanswered.
 *
 * @internal
 */
export function writeReply(response: ServerResponse, reply: SandboxReply): void {
  if (isResetReply(reply)) {
    if (response.socket) {
      response.socket.resetAndDestroy();
    } else {
      response.destroy();
    }
    return;
  }
  const json = 'json' in reply;
  const text = json ? JSON.stringify(reply.json) : reply.html;
  response.writeHead(reply.status, {
    ...reply.headers,
    'Content-Type': json ? 'application/json' : 'text/html;charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** The request target as a URL, or `undefined` when it is none (`//`, for one). */
function parseTarget(target: string): URL | undefined {
  try {
    return new URL(target, 'http://sandbox');
  } catch {
    return undefined;
  }
}

/** The body as UTF-8 text, or `undefined` when it is longer than `limit` bytes (read to its end). */
function readBody(request: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
      }
    });
    request.on('end', () =>
      resolve(size > limit ? undefined : Buffer.concat(chunks).toString('utf8')),
    );
    request.on('error', reject);
  });
}
