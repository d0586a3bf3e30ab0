import { ThrottlerStorageService } from '@nestjs/throttler';
import Redis from 'ioredis';
import {
  InMemoryVerifyNowStore,
  RedisThrottlerStorage,
  RedisVerifyNowStore,
  VerifyNowStore,
} from '../lib';
import { redisUrl, uniquePrefix } from './helpers/redis';

const entry = (verificationId: string, purpose: string | null = 'POST /account/transfer') => ({
  verificationId,
  subject: 'a'.repeat(64),
  purpose,
  issuedAt: 1_700_000_000_000,
});

describe.each(['memory', 'redis'] as const)('the VerifyNowStore contract (%s)', (kind) => {
  let redis: Redis | undefined;
  let store: VerifyNowStore;
  let memory: InMemoryVerifyNowStore | undefined;

  beforeAll(() => {
    if (kind === 'redis') {
      redis = new Redis(redisUrl());
      store = new RedisVerifyNowStore(redis, uniquePrefix());
    } else {
      memory = new InMemoryVerifyNowStore();
      store = memory;
    }
  });
  afterAll(async () => {
    memory?.onApplicationShutdown();
    await redis?.quit();
  });

  it('records a send and reads it back', async () => {
    await store.record(entry('101'), 60_000);
    await expect(store.get('101')).resolves.toEqual({
      ...entry('101'),
      failedAttempts: 0,
      state: 'open',
    });
    await expect(store.get('999999')).resolves.toBeUndefined();
  });

  it('keeps "no purpose" apart from every purpose', async () => {
    await store.record(entry('102', null), 60_000);
    await expect(store.get('102')).resolves.toMatchObject({ purpose: null });
  });

  it('records a pending code again with the new purpose, keeping its issue time and tries', async () => {
    await store.record(entry('103'), 60_000);
    const claim = await store.claim('103', 5_000, 5);
    if (claim.status !== 'claimed') throw new Error(claim.status);
    await store.settle('103', claim.token, 'failed');
    await store.record({ ...entry('103', 'password-change'), issuedAt: 1_800_000_000_000 }, 60_000);
    await expect(store.get('103')).resolves.toMatchObject({
      purpose: 'password-change',
      issuedAt: entry('103').issuedAt,
      failedAttempts: 1,
    });
  });

  it('grants exactly one of 100 concurrent claims', async () => {
    await store.record(entry('104'), 60_000);
    const claims = await Promise.all(
      Array.from({ length: 100 }, () => store.claim('104', 5_000, 5)),
    );
    expect(claims.filter((claim) => claim.status === 'claimed')).toHaveLength(1);
    expect(claims.filter((claim) => claim.status === 'busy')).toHaveLength(99);
  });

  it('is used up once verified, and a new claim says so', async () => {
    await store.record(entry('105'), 60_000);
    const claim = await store.claim('105', 5_000, 5);
    if (claim.status !== 'claimed') throw new Error(claim.status);
    await store.settle('105', claim.token, 'verified');
    await expect(store.claim('105', 5_000, 5)).resolves.toEqual({ status: 'consumed' });
    await expect(store.get('105')).resolves.toMatchObject({ state: 'consumed' });
  });

  it('reopens on release without counting a try, and locks after the maximum of failures', async () => {
    await store.record(entry('106'), 60_000);
    const first = await store.claim('106', 5_000, 2);
    if (first.status !== 'claimed') throw new Error(first.status);
    await store.settle('106', first.token, 'released');
    await expect(store.get('106')).resolves.toMatchObject({ failedAttempts: 0, state: 'open' });
    for (let i = 0; i < 2; i += 1) {
      const claim = await store.claim('106', 5_000, 2);
      if (claim.status !== 'claimed') throw new Error(claim.status);
      await store.settle('106', claim.token, 'failed');
    }
    await expect(store.claim('106', 5_000, 2)).resolves.toEqual({ status: 'locked' });
  });

  it('frees a claim whose holder vanished once its lease ends', async () => {
    await store.record(entry('107'), 60_000);
    await expect(store.claim('107', 50, 5)).resolves.toMatchObject({ status: 'claimed' });
    await expect(store.claim('107', 50, 5)).resolves.toEqual({ status: 'busy' });
    await new Promise((resolve) => setTimeout(resolve, 80));
    await expect(store.claim('107', 50, 5)).resolves.toMatchObject({ status: 'claimed' });
  });

  it('forgets a verification after its TTL', async () => {
    await store.record(entry('108'), 50);
    await new Promise((resolve) => setTimeout(resolve, 80));
    await expect(store.get('108')).resolves.toBeUndefined();
    await expect(store.claim('108', 5_000, 5)).resolves.toEqual({ status: 'missing' });
  });
});

describe('RedisThrottlerStorage counts like @nestjs/throttler’s own storage', () => {
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(redisUrl());
  });
  afterAll(() => redis.quit());

  it.each([
    ['a sliding window (no block duration)', 0],
    ['a block after a breach', 60_000],
  ])('with %s', async (_name, blockDuration) => {
    const memory = new ThrottlerStorageService();
    const shared = new RedisThrottlerStorage(redis, uniquePrefix());
    try {
      const fromMemory = [];
      const fromRedis = [];
      for (let i = 0; i < 6; i += 1) {
        const a = await memory.increment('key', 60_000, 3, blockDuration, 'test');
        const b = await shared.increment('key', 60_000, 3, blockDuration, 'test');
        fromMemory.push([a.totalHits, a.isBlocked, a.timeToBlockExpire > 0]);
        fromRedis.push([b.totalHits, b.isBlocked, b.timeToBlockExpire > 0]);
      }
      expect(fromRedis).toEqual(fromMemory);
      expect(fromRedis.map(([, blocked]) => blocked)).toEqual([
        false,
        false,
        false,
        true,
        true,
        true,
      ]);
    } finally {
      memory.onApplicationShutdown();
    }
  });

  it('lets hits go once their window passes', async () => {
    const shared = new RedisThrottlerStorage(redis, uniquePrefix());
    await shared.increment('key', 100, 1, 0, 'test');
    await expect(shared.increment('key', 100, 1, 0, 'test')).resolves.toMatchObject({
      isBlocked: true,
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    await expect(shared.increment('key', 100, 1, 0, 'test')).resolves.toMatchObject({
      isBlocked: false,
    });
  });
});
