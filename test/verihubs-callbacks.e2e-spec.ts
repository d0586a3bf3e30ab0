import { INestApplication, Module } from '@nestjs/common';
import { createServer, request as httpRequest, Server } from 'node:http';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { VerifyNowModule, VerifyNowService } from '../lib';
import type { OtpDeliveryStatus, VerifyNowModuleOptions } from '../lib';
import { freePort } from './helpers/free-port';
import { redisUrl, uniquePrefix } from './helpers/redis';

const PATH = '/hooks/verihubs';

/** Polls until `check` holds, or fails after two seconds. */
async function until<T>(read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  const stop = Date.now() + 2_000;
  let value = await read();
  while (!check(value)) {
    if (Date.now() > stop) throw new Error(`gave up waiting; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    value = await read();
  }
  return value;
}

const states = (status: OtpDeliveryStatus | undefined) =>
  status?.history.map(({ state }) => state) ?? [];

describe.each([
  ['express', 'memory'],
  ['fastify', 'memory'],
  ['express', 'redis'],
] as const)('Verihubs delivery callbacks (%s, %s store)', (platform, store) => {
  let app: INestApplication;
  let base: string;
  let service: VerifyNowService;
  let relay: Server;
  /** Every callback URL the sandbox called, as the relay saw it. */
  const called: string[] = [];
  let number = 6281200000100;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // A relay in front of the application records what the sandbox calls, tokens included.
    relay = createServer((incoming, outgoing) => {
      called.push(incoming.url ?? '');
      const forward = httpRequest(`${base}${incoming.url}`, (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502);
        answer.pipe(outgoing);
      });
      forward.on('error', () => outgoing.destroy());
      forward.end();
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const address = relay.address();
    const relayBase = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const options: VerifyNowModuleOptions = {
      sandbox: { code: '482916' },
      providers: ['verihubs'],
      verihubs: { callback: { url: `${relayBase}${PATH}` } },
      ...(store === 'redis'
        ? { store: { redis: { url: redisUrl(), keyPrefix: uniquePrefix() } } }
        : {}),
    };
    @Module({ imports: [VerifyNowModule.forRoot(options)] })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app =
      platform === 'fastify'
        ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
        : moduleRef.createNestApplication({ logger: false });
    await app.listen(port, '127.0.0.1');
    service = app.get(VerifyNowService);
  });

  afterAll(async () => {
    await app.close();
    await new Promise((resolve) => relay.close(resolve));
  });

  /** The tokens of the callbacks made for a verification. */
  const tokensOf = (verificationId: string) => [
    ...new Set(
      called
        .filter((url) => url.includes(`session_id=${verificationId}`))
        .map((url) => url.split('?')[0].split('/').at(-1) ?? ''),
    ),
  ];

  const send = async () => {
    number += 1;
    const sent = await service.sendOtp({ phoneNumber: `+${number}` });
    expect(sent.provider).toBe('verihubs');
    return sent;
  };
  const hook = (token: string, query: string) => fetch(`${base}${PATH}/${token}?${query}`);

  it('records requested then delivered, then verified after the right code', async () => {
    const { verificationId } = await send();
    const delivered = await until(
      () => service.deliveryStatus(verificationId),
      (status) => states(status).length >= 2,
    );
    expect(delivered).toMatchObject({ verificationId, provider: 'verihubs', state: 'delivered' });
    expect(states(delivered)).toEqual(['requested', 'delivered']);
    await service.validateOtp({ verificationId, code: '482916' });
    const verified = await until(
      () => service.deliveryStatus(verificationId),
      (status) => status?.state === 'verified',
    );
    expect(states(verified)).toEqual(['requested', 'delivered', 'verified']);
    expect(verified?.history.every(({ at }) => !Number.isNaN(Date.parse(at)))).toBe(true);
  });

  it('puts an unguessable token of its own in each send’s callback_url', async () => {
    const [first, second] = [await send(), await send()];
    for (const { verificationId } of [first, second]) {
      await until(
        () => service.deliveryStatus(verificationId),
        (status) => states(status).length >= 2,
      );
    }
    const [one, two] = [tokensOf(first.verificationId), tokensOf(second.verificationId)];
    expect(one).toHaveLength(1);
    expect(one[0]).toMatch(/^[\w-]{32}$/);
    expect(two).toHaveLength(1);
    expect(two[0]).not.toBe(one[0]);
    expect(called.every((url) => url.startsWith(`${PATH}/`))).toBe(true);
  });

  it('refuses a callback without the send’s token, and changes nothing', async () => {
    const { verificationId } = await send();
    await until(
      () => service.deliveryStatus(verificationId),
      (status) => states(status).length >= 2,
    );
    const forged = 'A'.repeat(32);
    const query = `session_id=${verificationId}&status=7`;
    expect((await hook(forged, query)).status).toBe(403);
    expect((await hook('short', query)).status).toBe(403);
    expect((await fetch(`${base}${PATH}?${query}`)).status).toBe(404);
    expect(states(await service.deliveryStatus(verificationId))).toEqual([
      'requested',
      'delivered',
    ]);
  });

  it('ignores unknown sessions, unknown statuses and replays, never answering an error', async () => {
    const { verificationId } = await send();
    await until(
      () => service.deliveryStatus(verificationId),
      (status) => states(status).length >= 2,
    );
    const [token] = tokensOf(verificationId);
    expect(token).toMatch(/^[\w-]{32}$/);
    for (const query of [
      'session_id=00000000-0000-0000-0000-000000000000&status=1',
      `session_id=${verificationId}&status=1`,
      `session_id=${verificationId}&status=42`,
      `session_id=${verificationId}&status=x`,
      'status=1',
    ]) {
      expect((await hook(token, query)).status).toBe(200);
    }
    expect(states(await service.deliveryStatus(verificationId))).toEqual([
      'requested',
      'delivered',
    ]);
    // The same token is good for another status of the same send only.
    expect((await hook(token, `session_id=${verificationId}&status=7`)).status).toBe(200);
    expect((await service.deliveryStatus(verificationId))?.state).toBe('undelivered');
  });

  it('answers undefined for a verification it does not have', async () => {
    await expect(service.deliveryStatus('no-such-id')).resolves.toBeUndefined();
    await expect(service.deliveryStatus('../etc')).resolves.toBeUndefined();
  });
});
