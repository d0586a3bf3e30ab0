import { SandboxOutbox } from './sandbox.outbox';
import { SandboxRouter } from './sandbox.router';

const message = (phoneNumber: string, code: string) => ({ phoneNumber, code, extra: 'kept' });

describe('SandboxOutbox', () => {
  it('lists messages newest last, for one number given with or without + and separators', () => {
    const outbox = new SandboxOutbox<ReturnType<typeof message>>();
    outbox.deliver(message('+911111', '1'));
    outbox.deliver(message('+912222', '2'));
    outbox.deliver(message('+911111', '3'));
    expect(outbox.list().map((m) => m.code)).toEqual(['1', '2', '3']);
    expect(outbox.list('911111').map((m) => m.code)).toEqual(['1', '3']);
    expect(outbox.list('+91 1111').map((m) => m.code)).toEqual(['1', '3']);
    expect(outbox.latestCode('+911111')).toBe('3');
    expect(outbox.latestCode('+913333')).toBeUndefined();
  });

  it('keeps the last 1000 messages', () => {
    const outbox = new SandboxOutbox<ReturnType<typeof message>>();
    for (let i = 0; i < 1005; i += 1) {
      outbox.deliver(message('+911111', String(i)));
    }
    const codes = outbox.list().map((m) => m.code);
    expect([codes.length, codes[0], codes.at(-1)]).toEqual([1000, '5', '1004']);
  });

  it('calls listeners for each message until they stop; clear keeps them', () => {
    const outbox = new SandboxOutbox<ReturnType<typeof message>>();
    const seen: string[] = [];
    const stop = outbox.onMessage((m) => seen.push(m.code));
    outbox.deliver(message('+911111', '1'));
    outbox.clear();
    expect(outbox.list()).toEqual([]);
    outbox.deliver(message('+911111', '2'));
    stop();
    outbox.deliver(message('+911111', '3'));
    expect(seen).toEqual(['1', '2']);
  });

  it('serves GET /sandbox/outbox, filtered by phoneNumber', () => {
    const outbox = new SandboxOutbox<ReturnType<typeof message>>();
    outbox.deliver(message('+911111', '1'));
    outbox.deliver(message('+912222', '2'));
    const router = new SandboxRouter().add(outbox.routes());
    const get = (query: string) =>
      router.handle({
        method: 'GET',
        path: '/sandbox/outbox',
        query: new URLSearchParams(query),
        headers: {},
      });
    expect(get('')).toEqual({ status: 200, json: { messages: outbox.list() } });
    expect(get('phoneNumber=%2B912222')).toEqual({
      status: 200,
      json: { messages: [message('+912222', '2')] },
    });
  });
});
