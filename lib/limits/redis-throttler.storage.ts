import type { ThrottlerStorage } from '@nestjs/throttler';
import { randomUUID } from 'node:crypto';
import { RedisScript, VerifyNowRedisClient } from '../redis/redis.client';

/** A ThrottlerStorage record, as `@nestjs/throttler` 6 defines it. */

// A sliding window of hit expiry times in a sorted set, on the Redis server's clock
// so that every instance counts alike. With a block duration, a breach also sets a
// block key for that long, as @nestjs/throttler's in-memory storage does.
const INCREMENT = new RedisScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local block = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if block > 0 then
  local left = redis.call('PTTL', KEYS[2])
  if left > 0 then
    return {redis.call('ZCARD', KEYS[1]), math.ceil(ttl / 1000), 1, math.ceil(left / 1000)}
  end
end
local hits = redis.call('ZCARD', KEYS[1])
local blocked = 0
if block <= 0 and hits >= limit then
  blocked = 1
else
  redis.call('ZADD', KEYS[1], now + ttl, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ttl)
  hits = hits + 1
  if block > 0 and hits > limit then
    redis.call('SET', KEYS[2], '1', 'PX', block)
    return {hits, math.ceil(ttl / 1000), 1, math.ceil(block / 1000)}
  end
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local untilOldest = 0
if oldest[2] then untilOldest = math.ceil((tonumber(oldest[2]) - now) / 1000) end
if blocked == 1 then
  return {hits + 1, untilOldest, 1, untilOldest}
end
return {hits, untilOldest, 0, 0}
`);

/**
 * `@nestjs/throttler`'s storage in Redis: counters shared by every instance. The
 * module uses it for its send limits when `store.redis` is set; it also serves
 * `ThrottlerModule.forRoot({ storage })`.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  constructor(
    private readonly client: VerifyNowRedisClient,
    private readonly keyPrefix = 'verifynow:',
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): ReturnType<ThrottlerStorage['increment']> {
    const base = `${this.keyPrefix}{${throttlerName}:${key}}`;
    const answer = (await INCREMENT.run(
      this.client,
      [`${base}:hits`, `${base}:block`],
      [Math.max(1, Math.ceil(ttl)), limit, Math.max(0, Math.ceil(blockDuration)), randomUUID()],
    )) as [number, number, number, number];
    return {
      totalHits: answer[0],
      timeToExpire: answer[1],
      isBlocked: answer[2] === 1,
      timeToBlockExpire: answer[3],
    };
  }
}
