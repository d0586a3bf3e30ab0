/**
 * Optional peers are loaded only when used: this app has neither ioredis nor
 * @nestjs/terminus, yet it booted; asking for what needs them must say what
 * to install.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { VerifyNowHealthIndicator, VerifyNowModule } from 'nestjs-verifynow';

const message = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

async function redisStore(): Promise<void> {
  @Module({
    imports: [
      VerifyNowModule.forRoot({ sandbox: true, store: { redis: { url: 'redis://127.0.0.1:1' } } }),
    ],
  })
  class RedisApp {}
  try {
    const app = await NestFactory.createApplicationContext(RedisApp, {
      logger: false,
      abortOnError: false,
    });
    await app.close();
    console.log('unexpected: the Redis store started without ioredis');
  } catch (error) {
    console.log(`missing peer: ${message(error)}`);
  }
}

async function healthIndicator(): Promise<void> {
  @Module({
    imports: [
      VerifyNowModule.forRoot({
        customerId: 'C-1',
        password: 'secret',
        baseUrl: 'http://127.0.0.1:1',
        tokenRetry: { retries: 0 },
      }),
    ],
  })
  class HealthApp {}
  const app = await NestFactory.createApplicationContext(HealthApp, { logger: false });
  try {
    await app.get(VerifyNowHealthIndicator).isHealthy();
    console.log('unexpected: an unreachable upstream was reported healthy');
  } catch (error) {
    console.log(`missing peer: ${message(error)}`);
  } finally {
    await app.close();
  }
}

void redisStore().then(healthIndicator);
