import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import {
  VERIHUBS_CALLBACK_QUEUE_LIMIT,
  VerihubsCallbackQueue,
  sendVerihubsCallback,
  verihubsCallbackUrl,
} from './verihubs-sandbox.callbacks';

/** A local HTTP server that hands each request to `handle`; resolves with its base URL. */
async function listen(
  handle: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<{ server: Server; url: string }> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('verihubsCallbackUrl', () => {
  it.each([
    ['http://h/cb', 'http://h/cb?session_id=s%201&status=0'],
    ['http://h/cb?a=b%20c&d', 'http://h/cb?a=b%20c&d&session_id=s%201&status=0'],
    ['http://h/cb?', 'http://h/cb?session_id=s%201&status=0'],
    ['http://h/cb?a=1&', 'http://h/cb?a=1&session_id=s%201&status=0'],
    ['http://h/cb?a=1#part', 'http://h/cb?a=1&session_id=s%201&status=0'],
  ])('%s → %s', (base, url) => {
    expect(verihubsCallbackUrl(base, 's 1', 0)).toBe(url);
  });
});

describe('VerihubsCallbackQueue', () => {
  it('waits for each sender promise before the next callback, in order', async () => {
    const events: string[] = [];
    const queue = new VerihubsCallbackQueue(async (url) => {
      events.push(`start ${url}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      events.push(`end ${url}`);
    });
    queue.push('a', 'b');
    queue.push('c');
    expect(queue.size).toBe(3);
    await queue.idle();
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(queue.size).toBe(0);
  });

  it('drops what is not made yet on clear, and serves pushes after it', async () => {
    const calls: string[] = [];
    const queue = new VerihubsCallbackQueue((url) => void calls.push(url), 20);
    queue.push('a', 'b');
    const idle = queue.idle();
    queue.clear();
    await idle;
    queue.push('c');
    await queue.idle();
    expect(calls).toEqual(['c']);
  });

  it(`keeps at most ${VERIHUBS_CALLBACK_QUEUE_LIMIT} callbacks not made yet: the oldest are dropped`, async () => {
    const calls: string[] = [];
    const queue = new VerihubsCallbackQueue((url) => void calls.push(url));
    queue.push(...Array.from({ length: VERIHUBS_CALLBACK_QUEUE_LIMIT + 5 }, (_, i) => String(i)));
    expect(queue.size).toBe(VERIHUBS_CALLBACK_QUEUE_LIMIT);
    await new Promise((resolve) => setTimeout(resolve, 5));
    queue.clear();
    expect([queue.size, calls[0]]).toEqual([0, '5']);
  });
});

describe('sendVerihubsCallback, over loopback', () => {
  it('GETs the URL as given and resolves once answered', async () => {
    const seen: string[] = [];
    const { server, url } = await listen((request, response) => {
      seen.push(`${request.method} ${request.url}`);
      response.end('ok');
    });
    await sendVerihubsCallback(`${url}/hook?a=1&session_id=s&status=0`);
    expect(seen).toEqual(['GET /hook?a=1&session_id=s&status=0']);
    await close(server);
  });

  it('gives up on a server that never answers, without rejecting', async () => {
    const { server, url } = await listen(() => {});
    const started = Date.now();
    await expect(sendVerihubsCallback(`${url}/slow`, 50)).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2_000);
    await close(server);
  });

  it('resolves quietly for a closed port, a URL that is none, or another protocol', async () => {
    const { server, url } = await listen(() => {});
    await close(server);
    await expect(sendVerihubsCallback(`${url}/gone`)).resolves.toBeUndefined();
    await expect(sendVerihubsCallback('not a url')).resolves.toBeUndefined();
    await expect(sendVerihubsCallback('ftp://127.0.0.1/x')).resolves.toBeUndefined();
  });
});
