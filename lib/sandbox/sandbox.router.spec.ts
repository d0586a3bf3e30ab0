import { SandboxRequest, SandboxRoute, SandboxRouter } from './sandbox.router';
import { jsonReply } from './sandbox.replies';

function request(method: string, path: string): SandboxRequest {
  return { method, path, query: new URLSearchParams('a=1'), headers: {} };
}

function echo(method: string, paths: string[], counter?: string): SandboxRoute {
  return {
    method,
    paths,
    counter,
    handle: (incoming) =>
      jsonReply(200, { method, path: incoming.path, a: incoming.query.get('a') }),
  };
}

describe('SandboxRouter', () => {
  it('routes a method and one of its paths to the handler, with the parsed request', () => {
    const router = new SandboxRouter().add([echo('GET', ['/one', '/uno'])]);
    expect(router.handle(request('GET', '/uno'))).toEqual({
      status: 200,
      json: { method: 'GET', path: '/uno', a: '1' },
    });
  });

  it('answers an unknown path with a Whitelabel HTML 404', () => {
    const reply = new SandboxRouter().add([echo('GET', ['/one'])]).handle(request('GET', '/two'));
    expect(reply).toEqual({ status: 404, html: expect.stringContaining('Whitelabel Error Page') });
    expect(reply).toMatchObject({ html: expect.stringContaining('type=Not Found, status=404') });
  });

  it('answers another method with a JSON 405 naming every allowed one, on the injected clock', () => {
    const router = new SandboxRouter(() => Date.UTC(2030, 0, 1)).add([
      echo('GET', ['/one']),
      echo('POST', ['/one']),
    ]);
    expect(router.handle(request('DELETE', '/one'))).toEqual({
      status: 405,
      headers: { Allow: 'GET, POST' },
      json: {
        timestamp: '2030-01-01T00:00:00.000Z',
        status: 405,
        error: 'Method Not Allowed',
        path: '/one',
      },
    });
    expect(router.handle(request('POST', '/one'))).toMatchObject({ json: { method: 'POST' } });
  });

  it('takes tables from several providers, and refuses two routes for one method and path', () => {
    const router = new SandboxRouter().add([echo('GET', ['/a'])]).add([echo('GET', ['/b'])]);
    expect(router.handle(request('GET', '/b')).status).toBe(200);
    expect(() => router.add([echo('GET', ['/c', '/a'])])).toThrow(
      'Two sandbox routes answer GET /a.',
    );
  });

  it('counts handled requests per counter, not 404s nor 405s, until reset', () => {
    const router = new SandboxRouter().add([
      echo('GET', ['/a'], 'one'),
      echo('POST', ['/b'], 'one'),
      echo('GET', ['/c']),
    ]);
    for (const [method, path] of [
      ['GET', '/a'],
      ['POST', '/b'],
      ['POST', '/a'],
      ['GET', '/c'],
      ['GET', '/x'],
    ]) {
      router.handle(request(method, path));
    }
    expect([router.count('one'), router.count('other')]).toEqual([2, 0]);
    router.resetCounts();
    expect(router.count('one')).toBe(0);
  });
});
