/**
 * Optional peers are loaded only when used: this app has no ioredis, yet it
 * booted; asking for the Redis store must say what to install.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { VerifyNowModule } from 'nestjs-verifynow';

async function main(): Promise<void> {
  @Module({
    imports: [VerifyNowModule.forRoot({ store: { redis: { url: 'redis://127.0.0.1:1' } } })],
  })
  class RedisApp {}
  try {
    const app = await NestFactory.createApplicationContext(RedisApp, {
      logger: false,
      abortOnError: false,
    });
    await app.close();
    console.log('unexpected: the Redis store started without ioredis');
    process.exit(1);
  } catch (error) {
    console.log(`missing peer: ${error instanceof Error ? error.message : String(error)}`);
  }
}

void main();
