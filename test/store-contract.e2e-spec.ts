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
      stepUp: false,
      failedAttempts: 0,
      state: 'open',
    });
    await store.record({ ...entry('107'), stepUp: true }, 60_000);
    await expect(store.get('107')).resolves.toMatchObject({ stepUp: true });
    await expect(store.get('999999')).resolves.toBeUndefined();
  });

  it('keeps "no purpose" apart from every purpose', async () => {
    await store.record(entry('102', null), 60_000);
    await expect(store.get('102')).resolves.toMatchObject({ purpose: null });
  });

  it('never rebinds a recorded verification: a second record of its id changes nothing', async () => {
    await store.record(entry('103'), 60_000);
    const claim = await store.claim('103', 5_000, 5);
    if (claim.status !== 'claimed') throw new Error(claim.status);
    await store.settle('103', claim.token, 'failed');
    await store.record(
      {
        ...entry('103', 'password-change'),
        subject: 'another',
        stepUp: true,
        issuedAt: 1_800_000_000_000,
      },
      60_000,
    );
    await expect(store.get('103')).resolves.toEqual({
      ...entry('103'),
      stepUp: false,
      failedAttempts: 1,
      state: 'open',
    });
  });

  it('restores a consumed verification only for the claim that consumed it, with its digest', async () => {
    await store.record(entry('111'), 60_000);
    const first = await store.claim('111', 5_000, 5);
    if (first.status !== 'claimed') throw new Error(first.status);
    expect(first.state).toBe('open');
    await store.settle('111', first.token, 'verified', 'digest-108');
    await store.restore?.('111', 'not-the-claim');
    await expect(store.get('111')).resolves.toMatchObject({ state: 'consumed' });
    await store.restore?.('111', first.token);
    await expect(store.get('111')).resolves.toMatchObject({ state: 'verified' });
    const second = await store.claim('111', 5_000, 5);
    expect(second).toEqual({
      status: 'claimed',
      token: expect.any(String),
      state: 'verified',
      codeDigest: 'digest-108',
    });
    if (second.status !== 'claimed') throw new Error(second.status);
    await store.settle('111', second.token, 'verified', 'digest-108');
    // Restored once, consumed again: the first claim can no longer give it back.
    await store.restore?.('111', first.token);
    await expect(store.claim('111', 5_000, 5)).resolves.toEqual({ status: 'consumed' });
  });

  it('answers ping when it can be written', async () => {
    await expect(store.ping?.()).resolves.toBeUndefined();
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

  it('locks at once when the upstream locked it, counting one try; keeps channel and masked number', async () => {
    await store.record({ ...entry('108'), channel: 'SMS', maskedPhone: '+********0001' }, 60_000);
    const claim = await store.claim('108', 5_000, 5);
    if (claim.status !== 'claimed') throw new Error(claim.status);
    await store.settle('108', claim.token, 'locked');
    await expect(store.get('108')).resolves.toMatchObject({
      failedAttempts: 1,
      locked: true,
      state: 'open',
      channel: 'SMS',
      maskedPhone: '+********0001',
    });
    await expect(store.claim('108', 5_000, 5)).resolves.toEqual({ status: 'locked' });
  });

  it('frees a claim whose holder vanished once its lease ends', async () => {
    await store.record(entry('107'), 60_000);
    await expect(store.claim('107', 50, 5)).resolves.toMatchObject({ status: 'claimed' });
    await expect(store.claim('107', 50, 5)).resolves.toEqual({ status: 'busy' });
    await new Promise((resolve) => setTimeout(resolve, 80));
    await expect(store.claim('107', 50, 5)).resolves.toMatchObject({ status: 'claimed' });
  });

  it('forgets a verification after its TTL', async () => {
    await store.record(entry('110'), 50);
    await new Promise((resolve) => setTimeout(resolve, 80));
    await expect(store.get('110')).resolves.toBeUndefined();
    await expect(store.claim('110', 5_000, 5)).resolves.toEqual({ status: 'missing' });
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
