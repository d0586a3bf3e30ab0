import axios, { AxiosAdapter, AxiosError, AxiosInstance, isCancel } from 'axios';
import {
  Agent as HttpAgent,
  IncomingMessage,
  Server,
  ServerResponse,
  createServer,
} from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Deadline } from '../resilience/call.deadline';
import { createKeepAliveAdapter } from './keep-alive.adapter';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  socket: unknown;
}

describe('the keep-alive axios adapter (over a real loopback server)', () => {
  let server: Server;
  let baseURL: string;
  let seen: Seen[];
  let handler: (request: IncomingMessage, response: ServerResponse) => void;
  let agents: { http: HttpAgent; https: HttpsAgent };
  let fallbackCalls: number;

  const client = (
    extra: Parameters<typeof axios.create>[0] = {},
    adapter?: AxiosAdapter,
  ): AxiosInstance =>
    axios.create({
      baseURL,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      adapter: adapter ?? createKeepAliveAdapter(agents, fallback),
      ...extra,
    });
  const fallback: AxiosAdapter = (config) => {
    fallbackCalls += 1;
    return axios.getAdapter('http')(config);
  };

  beforeEach(async () => {
    seen = [];
    fallbackCalls = 0;
    agents = {
      http: new HttpAgent({ keepAlive: true }),
      https: new HttpsAgent({ keepAlive: true }),
    };
    handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'x-answer': 'yes' });
      response.end('{"ok":true}');
    };
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        seen.push({
          method: request.method ?? '',
          url: request.url ?? '',
          headers: request.headers,
          body: Buffer.concat(chunks).toString(),
          socket: request.socket,
        });
        handler(request, response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    agents.http.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    delete process.env.HTTPS_PROXY;
  });

  it('sends what axios’s own adapter sends: method, path, query string, headers and body', async () => {
    const params = {
      customerId: 'C-1',
      mobileNumber: '9999900001',
      otpLength: 6,
      note: 'a b+c&d',
      kept: 'a:b$c,d e%f/g?h#i',
      skip: undefined,
    };
    const request = {
      method: 'post',
      url: '/verification/v3/send',
      params,
      headers: { authToken: 't' },
      data: 'x=1',
    };
    await client().request(request);
    await client({}, axios.getAdapter('http')).request(request);
    const [ours, theirs] = seen;
    expect(ours.method).toBe('POST');
    expect(ours.url).toBe(theirs.url);
    expect(ours.url).toContain('note=a+b%2Bc%26d');
    expect(ours.url).toContain('kept=a:b$c,d+e%25f%2Fg%3Fh%23i');
    expect(ours.url).not.toContain('skip');
    expect(ours.url).not.toContain('none');
    expect(fallbackCalls).toBe(0);
    // Parameters that are not flat go through axios's own serializer: same URL again.
    const nested = { ...request, params: { list: [1, 2], at: { x: 1 } } };
    await client().request(nested);
    await client({}, axios.getAdapter('http')).request(nested);
    expect(seen[2].url).toBe(seen[3].url);
    // A base URL with trailing slashes, a URL with a query and a hash of its own.
    await client({ baseURL: `${baseURL}//` }).request({ ...request, url: '/v3/send?x=1#frag' });
    await client({ baseURL: `${baseURL}//` }, axios.getAdapter('http')).request({
      ...request,
      url: '/v3/send?x=1#frag',
    });
    expect(seen[4].url).toBe(seen[5].url);
    expect(ours.headers.authtoken).toBe('t');
    expect(ours.headers['user-agent']).toBe('nestjs-verifynow');
    expect(ours.headers['content-length']).toBe('3');
    expect(ours.body).toBe('x=1');
    expect(fallbackCalls).toBe(0);
  });

  it('answers with the status, the headers and the body as text, whatever the status', async () => {
    handler = (_request, response) => {
      response.writeHead(503, { 'retry-after': '7' });
      response.end('busy');
    };
    const answer = await client().get('/x');
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('7');
    expect(answer.data).toBe('busy');
  });

  it('rejects with an AxiosError carrying the response when validateStatus refuses it', async () => {
    handler = (_request, response) => {
      response.writeHead(404);
      response.end('nope');
    };
    const error = await client({ validateStatus: (status) => status < 400 })
      .get('/x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AxiosError);
    expect((error as AxiosError).code).toBe(AxiosError.ERR_BAD_REQUEST);
    expect((error as AxiosError).response?.status).toBe(404);
  });

  it('reuses one connection for sequential requests', async () => {
    const http = client();
    for (let i = 0; i < 5; i += 1) {
      await http.get('/x');
    }
    expect(new Set(seen.map((s) => s.socket)).size).toBe(1);
  });

  it('decodes a gzip body', async () => {
    handler = (_request, response) => {
      response.writeHead(200, { 'content-encoding': 'gzip' });
      response.end(gzipSync('{"zipped":true}'));
    };
    expect((await client().get('/x')).data).toBe('{"zipped":true}');
  });

  it('refuses an answer over maxContentLength', async () => {
    handler = (_request, response) => {
      response.end('x'.repeat(5000));
    };
    const error = await client({ maxContentLength: 1000 })
      .get('/x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AxiosError);
    expect((error as AxiosError).message).toMatch(/maxContentLength size of 1000 exceeded/);
  });

  it('cancels on abort, before and during the request', async () => {
    handler = () => undefined; // never answers
    const controller = new AbortController();
    const pending = client().get('/x', { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    expect(isCancel(await pending.catch((e: unknown) => e))).toBe(true);
    expect(
      isCancel(
        await client()
          .get('/x', { signal: AbortSignal.abort() })
          .catch((e: unknown) => e),
      ),
    ).toBe(true);
  });

  it("cancels at a call's deadline, through this adapter and through axios's own", async () => {
    handler = () => undefined; // never answers
    for (const adapter of [undefined, fallback]) {
      const deadline = Deadline.after(50);
      const started = performance.now();
      const error = await client({}, adapter)
        .get('/x', { signal: deadline.signal })
        .catch((e: unknown) => e);
      expect(isCancel(error)).toBe(true);
      expect(performance.now() - started).toBeLessThan(1_000);
      // Aborted already: axios refuses it before any adapter, and nothing is sent.
      const before = seen.length;
      expect(
        isCancel(
          await client({}, adapter)
            .get('/x', { signal: deadline.signal })
            .catch((e: unknown) => e),
        ),
      ).toBe(true);
      expect(seen.length).toBe(before);
    }
    expect(fallbackCalls).toBe(1);
  });

  it('cancels through a cancel token too', async () => {
    handler = () => undefined; // never answers
    const source = axios.CancelToken.source();
    const pending = client().get('/x', { cancelToken: source.token });
    await new Promise((resolve) => setTimeout(resolve, 50));
    source.cancel('stop');
    expect(isCancel(await pending.catch((e: unknown) => e))).toBe(true);
  });

  it('times out with ECONNABORTED when axios’s timeout passes with no answer', async () => {
    handler = () => undefined;
    const error = await client({ timeout: 100 })
      .get('/x')
      .catch((e: unknown) => e);
    expect((error as AxiosError).code).toBe(AxiosError.ECONNABORTED);
  });

  it('reports a refused connection as an AxiosError with code ECONNREFUSED', async () => {
    const port = (server.address() as AddressInfo).port;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    const error = await axios
      .create({ adapter: createKeepAliveAdapter(agents, fallback), responseType: 'text' })
      .get(`http://127.0.0.1:${port}/x`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AxiosError);
    expect((error as AxiosError).code).toBe('ECONNREFUSED');
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  it('hands a proxy, a non-text response type or a streamed body to the adapter it replaces', async () => {
    await client({ responseType: 'json' }).get('/x');
    expect(fallbackCalls).toBe(1);
    process.env.HTTPS_PROXY = 'http://127.0.0.1:9';
    await client()
      .get('/x')
      .catch(() => undefined);
    expect(fallbackCalls).toBe(2);
    delete process.env.HTTPS_PROXY;
    await client({ proxy: false }).get('/x');
    expect(fallbackCalls).toBe(3);
  });
});
