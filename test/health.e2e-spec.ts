import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { VerifyNowHealthIndicator, VerifyNowModule, VerifyNowService } from 'nestjs-verifynow';
import { freePort } from './helpers/free-port';
import { OpenHandles } from './helpers/open-handles';
import { uniquePrefix } from './helpers/redis';

/** A Redis server of the test's own, so that the test can take it away. */
async function startRedis(port: number): Promise<ChildProcess> {
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let output = '';
  for await (const chunk of server.stdout as AsyncIterable<Buffer>) {
    output += chunk.toString();
    if (output.includes('Ready to accept connections')) break;
  }
  return server;
}

async function start(redisPort: number): Promise<INestApplicationContext> {
  @Module({
    imports: [
      VerifyNowModule.forRoot({
        sandbox: true,
        providers: ['verifynow', 'verihubs'],
        timeoutMs: 500,
        maxRequestsPerSecond: 20,
        verihubs: { maxRequestsPerSecond: 10 },
        store: { redis: { url: `redis://127.0.0.1:${redisPort}`, keyPrefix: uniquePrefix() } },
      }),
    ],
  })
  class HealthModule {}
  return NestFactory.createApplicationContext(HealthModule, { logger: false });
}

/** What the indicator reports, whether it throws (down, terminus installed) or returns. */
async function report(app: INestApplicationContext): Promise<Record<string, unknown>> {
  try {
    return (await app.get(VerifyNowHealthIndicator).isHealthy()).verifynow as never;
  } catch (error) {
    return (error as { causes: { verifynow: Record<string, unknown> } }).causes.verifynow;
  }
}

describe('VerifyNowHealthIndicator with the Redis store', () => {
  let redis: ChildProcess;
  let app: INestApplicationContext;
  let handles: OpenHandles;

  beforeAll(async () => {
    const port = await freePort();
    redis = await startRedis(port);
    handles = OpenHandles.track();
    app = await start(port);
  });

  afterAll(() => {
    if (redis.exitCode === null) redis.kill();
  });

  // Last: an application whose Redis is gone still stops, leaving nothing open.
  afterAll(async () => {
    await app.close();
    // ioredis destroys a socket to a dead server 2 s after it asked it to end.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await handles.expectNothingLeftOpen();
  });

  it('reports the store (Redis, writable, its eviction policy) and each fleet rate cap', async () => {
    await app.get(VerifyNowService).sendOtp({ phoneNumber: '+919999900001' });
    const health = await report(app);
    expect(health).toMatchObject({
      status: 'up',
      store: { kind: 'redis', status: 'up', evictionPolicy: 'noeviction' },
      providers: {
        verifynow: {
          status: 'up',
          rateCap: { scope: 'fleet', perSecond: 20, waiting: 0, status: 'up' },
        },
        verihubs: {
          status: 'up',
          rateCap: { scope: 'fleet', perSecond: 10, waiting: 0, status: 'up' },
        },
      },
    });
  });

  it('reports down, naming the store and the rate caps, once Redis is gone; sends refused', async () => {
    redis.kill('SIGKILL');
    await once(redis, 'exit');
    const health = await report(app);
    expect(health).toMatchObject({
      status: 'down',
      store: { kind: 'redis', status: 'down', reason: 'UNREACHABLE' },
      providers: {
        verifynow: { status: 'down', reason: 'RATE_CAP_UNREACHABLE', rateCap: { status: 'down' } },
        verihubs: { status: 'down', reason: 'RATE_CAP_UNREACHABLE', rateCap: { status: 'down' } },
      },
    });
    expect(JSON.stringify(health)).not.toContain('redis://');
    await expect(
      app.get(VerifyNowService).sendOtp({ phoneNumber: '+919999900002' }),
    ).rejects.toMatchObject({ codeName: 'UPSTREAM_UNAVAILABLE' });
  });
});
