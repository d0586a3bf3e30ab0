/**
 * Boots the sample's `AppModule` (copied beside this file) on Express or
 * Fastify, as an application that installed nestjs-verifynow from its tarball.
 */
import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';

async function main(): Promise<void> {
  const platform = process.argv[2] ?? 'express';
  const app: INestApplication =
    platform === 'fastify'
      ? await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter())
      : await NestFactory.create(AppModule);
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  console.log(`compat app (${platform}) listening on ${await app.getUrl()}`);
}

void main();
