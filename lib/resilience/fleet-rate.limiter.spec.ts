import Redis from 'ioredis';
import { Server, Socket, createServer } from 'node:net';
import { freePort } from '../../test/helpers/free-port';
import { redisClient, uniquePrefix } from '../../test/helpers/redis';
import {
  VerifyNowOverloadedException,
  VerifyNowUnavailableException,
  wasNeverSent,
} from '../http/upstream.exceptions';
import type { VerifyNowRedisClient } from '../redis/redis.client';
import { FLEET_WINDOW_MS, FleetRateLimiter, FleetRateSettings } from './fleet-rate.limiter';

// Against the real Redis of the Jest global setup: the script, the server's
// clock and the key's expiry are what is under test.

let redis: Redis;
const open: FleetRateLimiter[] = [];

beforeAll(() => {
  redis = redisClient();
});
afterEach(() => {
  for (const limiter of open.splice(0)) limiter.close();
});
afterAll(() => redis.quit());

function limiter(
  settings: Partial<FleetRateSettings> & { keyPrefix: string },
  client: VerifyNowRedisClient = redis,
): FleetRateLimiter {
  const made = new FleetRateLimiter(client, {
    upstream: 'verifynow',
    perSecond: 3,
    maxQueued: 100,
    answerTimeoutMs: 2_000,
    ...settings,
  });
  open.push(made);
  return made;
}

/** Acquires, and resolves with the time the slot came (`performance.now()`). */
const grantTime = (cap: FleetRateLimiter, maxWaitMs = 10_000): Promise<number> =>
  cap.acquire(maxWaitMs).then(() => performance.now());

/** The most grants in any one-second window, each window starting at a grant. */
function mostInOneSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return Math.max(
    ...sorted.map((start) => sorted.filter((t) => t >= start && t < start + 1000).length),
  );
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('FleetRateLimiter', () => {
  it('shares one cap between two limiters on one key, per upstream', async () => {
    const keyPrefix = uniquePrefix();
    const [a, b] = [limiter({ keyPrefix }), limiter({ keyPrefix })];
    const started = performance.now();
    const times = await Promise.all([
      ...Array.from({ length: 4 }, () => grantTime(a)),
      ...Array.from({ length: 4 }, () => grantTime(b)),
    ]);
    const soon = times.filter((t) => t - started < 500);
    expect(soon).toHaveLength(3);
    expect(Math.min(...times.filter((t) => t - started >= 500)) - started).toBeGreaterThanOrEqual(
      FLEET_WINDOW_MS - 50,
    );
    expect(mostInOneSecond(times)).toBeLessThanOrEqual(3);
    // Verihubs' cap on the same Redis and prefix counts apart.
    const other = limiter({ keyPrefix, upstream: 'verihubs' });
    const before = performance.now();
    await Promise.all(Array.from({ length: 3 }, () => other.acquire(100)));
    expect(performance.now() - before).toBeLessThan(100);
  });

  it('is a sliding window: no more than N grants in any second, bursts straddling any boundary', async () => {
    const keyPrefix = uniquePrefix();
    const [a, b] = [limiter({ keyPrefix }), limiter({ keyPrefix })];
    const times: Promise<number>[] = [];
    // Bursts at 0, 400, 900 and 1,300 ms, 3 calls each, alternating limiters: a
    // fixed window (one per second) would let 3 at 900 and 3 at 1,300 through.
    for (const at of [0, 400, 900, 1300]) {
      await sleep(at === 0 ? 0 : 400);
      for (let i = 0; i < 3; i += 1) times.push(grantTime(i % 2 === 0 ? a : b));
    }
    const granted = await Promise.all(times);
    expect(granted).toHaveLength(12);
    expect(mostInOneSecond(granted)).toBeLessThanOrEqual(3);
  }, 15_000);

  it('keeps a margin on the window: the N+1st start comes at least FLEET_WINDOW_MS after the 1st, on the server clock', async () => {
    const keyPrefix = uniquePrefix();
    const cap = limiter({ keyPrefix, perSecond: 2 });
    const key = `${keyPrefix}{rate:verifynow}:starts`;
    // Start times are microseconds on the Redis server's clock.
    const starts = async (): Promise<number[]> =>
      (await redis.zrange(key, 0, -1, 'WITHSCORES')).filter((_, i) => i % 2 === 1).map(Number);
    await Promise.all([cap.acquire(5_000), cap.acquire(5_000)]);
    const [first] = await starts();
    await cap.acquire(5_000);
    // The first two left the window as the third came: it is alone in it.
    const [third] = await starts();
    expect(third - first).toBeGreaterThanOrEqual(FLEET_WINDOW_MS * 1000);
    expect(FLEET_WINDOW_MS).toBeGreaterThan(1000);
    // Idle keys vanish: the expiry is one window from the last start.
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(FLEET_WINDOW_MS);
  });

  it('bounds the queue: once the window is full, callers beyond maxQueued fail at once', async () => {
    const cap = limiter({ keyPrefix: uniquePrefix(), perSecond: 1, maxQueued: 2 });
    await cap.acquire(5_000);
    const queued = [grantTime(cap), grantTime(cap)];
    const fourth = cap.acquire(5_000);
    await expect(fourth).rejects.toThrow('2 requests already wait for the rate cap');
    expect(cap.waiting).toBe(2);
    const before = performance.now();
    await expect(cap.acquire(5_000)).rejects.toBeInstanceOf(VerifyNowOverloadedException);
    expect(performance.now() - before).toBeLessThan(50);
    const [second, third] = await Promise.all(queued);
    expect(third - second).toBeGreaterThanOrEqual(FLEET_WINDOW_MS - 50);
  }, 10_000);

  it('fails at once a caller that cannot get a slot within its bound, and serves one that can', async () => {
    const cap = limiter({ keyPrefix: uniquePrefix(), perSecond: 1 });
    await cap.acquire(5_000);
    const before = performance.now();
    await expect(cap.acquire(200)).rejects.toThrow('no slot under the rate cap within 200 ms');
    expect(performance.now() - before).toBeLessThan(150);
    await expect(cap.acquire(3_000)).resolves.toBeUndefined();
    expect(cap.describe()).toEqual({ scope: 'fleet', perSecond: 1, waiting: 0 });
  });

  it('fails every waiting caller on close, and every later call', async () => {
    const cap = limiter({ keyPrefix: uniquePrefix(), perSecond: 1 });
    await cap.acquire(5_000);
    const waiting = [cap.acquire(5_000), cap.acquire(5_000)];
    await sleep(50);
    expect(cap.waiting).toBe(2);
    cap.close();
    for (const call of waiting) {
      await expect(call).rejects.toThrow('shutting down');
    }
    await expect(cap.acquire(5_000)).rejects.toBeInstanceOf(VerifyNowOverloadedException);
    expect(cap.waiting).toBe(0);
  });

  describe('fails closed when Redis cannot be reached', () => {
    let silent: Server;
    const sockets = new Set<Socket>();
    beforeAll(async () => {
      // Accepts connections and never answers: a hung server.
      silent = createServer((socket) => sockets.add(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });

    // As an application's own client may be: no command timeout of its own, so
    // that the limiter's `answerTimeoutMs` is what ends the wait. (A short
    // disconnect timeout: ioredis otherwise keeps a 2 s timer for a refused socket.)
    const unansweredClient = (url: string): Redis =>
      new Redis(url, { maxRetriesPerRequest: 1, disconnectTimeout: 10 }).on(
        'error',
        () => undefined,
      );

    const unreachable = async (url: string, answerTimeoutMs: number): Promise<unknown> => {
      const client = unansweredClient(url);
      try {
        const cap = limiter({ keyPrefix: uniquePrefix(), answerTimeoutMs }, client);
        expect(await cap.check()).toBe('unreachable');
        return await cap.acquire(5_000).catch((error: unknown) => error);
      } finally {
        client.disconnect();
      }
    };

    it('a closed port: VerifyNowUnavailableException, without the URL or its password', async () => {
      const port = await freePort();
      const error = await unreachable(`redis://:pass-s3cret@127.0.0.1:${port}`, 1_000);
      expect(error).toBeInstanceOf(VerifyNowUnavailableException);
      // Nothing went out: a failover may try the next upstream.
      expect(wasNeverSent(error)).toBe(true);
      const text = JSON.stringify({
        message: (error as Error).message,
        response: (error as VerifyNowUnavailableException).getResponse(),
      });
      expect(text).toContain('the shared rate cap could not be reached: Redis failed');
      expect(text).not.toContain('pass-s3cret');
      expect(text).not.toContain(String(port));
    });

    it('a server that never answers: fails after answerTimeoutMs', async () => {
      const { port } = silent.address() as { port: number };
      const before = performance.now();
      const error = await unreachable(`redis://127.0.0.1:${port}`, 300);
      expect(error).toBeInstanceOf(VerifyNowUnavailableException);
      expect((error as Error).message).toContain(
        'the shared rate cap could not be reached: Redis did not answer within 300 ms',
      );
      // The health check and the acquire each waited about answerTimeoutMs.
      expect(performance.now() - before).toBeLessThan(2_000);
    });

    it('a caller whose bound ends while Redis is silent fails as unreachable, not as overloaded', async () => {
      const { port } = silent.address() as { port: number };
      const client = unansweredClient(`redis://127.0.0.1:${port}`);
      try {
        const cap = limiter({ keyPrefix: uniquePrefix(), answerTimeoutMs: 5_000 }, client);
        await expect(cap.acquire(200)).rejects.toThrow(
          /the shared rate cap could not be reached: Redis did not answer within \d+ ms/,
        );
      } finally {
        client.disconnect();
      }
    });
  });

  it('says Redis is reachable when it runs the script, taking no slot', async () => {
    const keyPrefix = uniquePrefix();
    const cap = limiter({ keyPrefix, perSecond: 1 });
    expect(await cap.check()).toBe('reachable');
    expect(await redis.exists(`${keyPrefix}{rate:verifynow}:starts`)).toBe(0);
    const before = performance.now();
    await cap.acquire(100);
    expect(performance.now() - before).toBeLessThan(100);
  });
});
