import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';

/** The test Redis server's URL (see test/setup/redis.global-setup.ts). */
export function redisUrl(): string {
  const url = process.env.VERIFYNOW_TEST_REDIS_URL;
  if (!url) {
    throw new Error('VERIFYNOW_TEST_REDIS_URL is not set: the Jest global setup starts Redis');
  }
  return url;
}

/** A key prefix of its own, so that specs sharing the server never see each other's keys. */
export function uniquePrefix(): string {
  return `verifynow-test:${randomUUID()}:`;
}

/** A client for assertions on the server itself. */
export function redisClient(): Redis {
  return new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
}
