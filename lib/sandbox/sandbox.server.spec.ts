import { connect } from 'node:net';
import { rawRequest } from '../../test/helpers/http';
import { SandboxResetReply, isResetReply, jsonReply } from './sandbox.replies';
import { SandboxRouter } from './sandbox.router';
import { SANDBOX_BODY_LIMIT, SandboxServer } from './sandbox.server';

/** A server over real loopback sockets, with a few test routes. */
describe('SandboxServer', () => {
  const router = new SandboxRouter().add([
    {
      method: 'POST',
      paths: ['/echo'],
      counter: 'echo',
      readsBody: true,
      handle: ({ body, query, headers }) =>
        jsonReply(201, { body, q: query.get('q'), h: headers['x-test'] }, { 'X-Reply': 'yes' }),
    },
    {
      method: 'POST',
      paths: ['/query-only'],
      handle: ({ body }) => jsonReply(200, { hasBody: body !== undefined }),
    },
    {
      method: 'POST',
      paths: ['/reset'],
      readsBody: true,
      handle: (): SandboxResetReply => ({ ...jsonReply(503, { fallback: true }), reset: true }),
    },
    {
      method: 'GET',
      paths: ['/throws'],
      handle: () => {
        throw new Error('boom');
      },
    },
  ]);
  const server = new SandboxServer(router);
  let url: string;

  beforeAll(async () => {
    url = await server.listen();
  });
  afterAll(() => server.close());
  beforeEach(() => server.clearRequests());

  it('throws for url before listening, and closes twice quietly', async () => {
    const idle = new SandboxServer(router);
    expect(() => idle.url).toThrow('not listening yet');
    await idle.close();
    await idle.close();
  });

  it('hands a readsBody route the body, query and headers, and writes its reply', async () => {
    const answer = await rawRequest(`${url}/echo?q=1`, {
      method: 'POST',
      headers: { 'x-test': 'h' },
      body: '{"é":1}',
    });
    expect(answer.status).toBe(201);
    expect(answer.headers['x-reply']).toBe('yes');
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.body).toEqual({ body: '{"é":1}', q: '1', h: 'h' });
  });

  it('drains the body unread for other routes', async () => {
    const answer = await rawRequest(`${url}/query-only`, { method: 'POST', body: 'ignored' });
    expect(answer.body).toEqual({ hasBody: false });
  });

  it('answers 413 to a body over the limit, without calling the route', async () => {
    const before = router.count('echo');
    const answer = await rawRequest(`${url}/echo`, {
      method: 'POST',
      body: 'x'.repeat(SANDBOX_BODY_LIMIT + 1),
    });
    expect([answer.status, answer.body]).toEqual([
      413,
      { status: 413, error: 'Payload Too Large' },
    ]);
    expect(router.count('echo')).toBe(before);
  });

  it('answers a route that throws with a Whitelabel 500, and keeps serving', async () => {
    const answer = await rawRequest(`${url}/throws`);
    expect(answer.status).toBe(500);
    expect(answer.headers['content-type']).toBe('text/html;charset=UTF-8');
    expect(answer.body).toContain('Whitelabel Error Page');
    expect((await rawRequest(`${url}/query-only`, { method: 'POST' })).status).toBe(200);
  });

  it('answers a request target that is no URL (`//`) with a Whitelabel 400, and keeps serving', async () => {
    const { port } = new URL(url);
    const head = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () =>
        socket.write('GET // HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'),
      );
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head).toContain('Whitelabel Error Page');
    expect((await rawRequest(`${url}/query-only`, { method: 'POST' })).status).toBe(200);
  });

  it('logs method and path of loopback requests, never the query; refuses others before logging', async () => {
    await rawRequest(`${url}/nowhere?secret=1`);
    const foreign = await rawRequest(`${url}/echo`, {
      method: 'POST',
      setHost: false,
      headers: { host: 'evil.example' },
      body: 'x',
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({ status: 403, error: 'Forbidden' });
    expect(server.requests()).toEqual([{ method: 'GET', path: '/nowhere' }]);
  });

  it('drops the connection with a TCP reset for a reset reply, and keeps serving', async () => {
    const outcome = await rawRequest(`${url}/reset`, { method: 'POST', body: '{}' }).then(
      (answer) => answer.status,
      (error: NodeJS.ErrnoException) => error.code,
    );
    expect(outcome).toBe('ECONNRESET');
    const viaFetch = await fetch(`${url}/reset`, { method: 'POST', body: '{}' }).then(
      (response) => response.status,
      (error: Error) => (error.cause as NodeJS.ErrnoException | undefined)?.code,
    );
    expect(viaFetch).toBe('ECONNRESET');
    expect((await rawRequest(`${url}/query-only`, { method: 'POST' })).status).toBe(200);
  });

  it('tells reset replies from the others', () => {
    const reset: SandboxResetReply = { ...jsonReply(503, {}), reset: true };
    expect(isResetReply(reset)).toBe(true);
    expect(isResetReply(jsonReply(503, { reset: true }))).toBe(false);
    expect(isResetReply({ status: 500, html: '<p>' })).toBe(false);
  });
});
