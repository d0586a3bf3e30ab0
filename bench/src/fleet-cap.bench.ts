/**
 * The fleet rate cap's cost per call: two module instances with the Redis
 * store against the minimal upstream, one whose cap is the fleet's (shared in
 * Redis, so high that no call waits) and one without a cap, in alternating
 * rounds, one call at a time (each call's added latency) and at concurrency 64
 * (throughput). Needs `redis-server` on PATH; started here on a free port.
 */
import 'reflect-metadata';
import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { VerifyNowModule, VerifyNowService } from 'nestjs-verifynow';
import {
  Contestant,
  RunResult,
  inTurn,
  median,
  medians,
  pairedRatio,
  pairs,
  resultTable,
  startChild,
} from './harness';

export interface FleetCapBenchOptions {
  calls: number;
  serialCalls: number;
  rounds: number;
}

const CONTESTANTS = ['fleet', 'none'] as const;
type ContestantName = (typeof CONTESTANTS)[number];
const LABELS: Record<ContestantName, string> = {
  fleet: 'Redis store, fleet cap',
  none: 'Redis store, no cap',
};

export interface FleetCapBenchReport {
  table: string;
  /** Fleet ÷ none, throughput at concurrency 64: the median of the rounds' paired ratios. */
  paired: number;
  /** Mean latency the cap adds per upstream request, one call at a time, in ms. */
  addedPerRequestMs: number;
}

const PHONES = Array.from({ length: 1000 }, (_, i) => `99999${String(i).padStart(5, '0')}`);

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

async function startRedis(): Promise<{ server: ChildProcess; url: string }> {
  const port = await freePort();
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const failed = once(server, 'error').then(([error]) => {
    throw new Error(`the fleet cap benchmark needs redis-server on PATH: ${String(error)}`);
  });
  const ready = (async () => {
    let output = '';
    for await (const chunk of server.stdout as AsyncIterable<Buffer>) {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) return;
    }
  })();
  await Promise.race([ready, failed]);
  return { server, url: `redis://127.0.0.1:${port}` };
}

async function startModule(
  baseUrl: string,
  redisUrl: string,
  perSecond: number,
): Promise<INestApplicationContext> {
  @Module({
    imports: [
      VerifyNowModule.forRoot({
        customerId: 'C-BENCH',
        password: 'bench-password',
        baseUrl,
        maxRequestsPerSecond: perSecond,
        limits: false,
        telemetry: false,
        store: { redis: { url: redisUrl, keyPrefix: `bench-${perSecond}:` } },
      }),
    ],
  })
  class BenchModule {}
  return NestFactory.createApplicationContext(BenchModule, { logger: ['error', 'warn'] });
}

export async function runFleetCapBench(
  options: FleetCapBenchOptions,
): Promise<FleetCapBenchReport> {
  const redis = await startRedis();
  const { child, first } = await startChild<{ port: number }>('upstream.js');
  const baseUrl = `http://127.0.0.1:${first.port}`;
  try {
    const apps = {
      // High enough that no call ever waits: what is measured is the Redis round trip.
      fleet: await startModule(baseUrl, redis.url, 100_000),
      none: await startModule(baseUrl, redis.url, 0),
    };
    const run = {} as Record<ContestantName, Contestant>;
    for (const name of CONTESTANTS) {
      const service = apps[name].get(VerifyNowService);
      run[name] = pairs(
        name,
        PHONES,
        async (mobile) =>
          (await service.sendOtp({ countryCode: '91', mobileNumber: mobile })).verificationId,
        (verificationId) => service.validateOtp({ verificationId, code: '123456' }),
      );
    }
    for (const name of CONTESTANTS) await run[name](1000, 64);
    const loaded: Record<ContestantName, RunResult[]> = { fleet: [], none: [] };
    const serial: Record<ContestantName, RunResult[]> = { fleet: [], none: [] };
    for (let round = 0; round < options.rounds; round += 1) {
      for (const name of inTurn([...CONTESTANTS], round)) {
        loaded[name].push(await run[name](options.calls / 2, 64));
        serial[name].push(await run[name](options.serialCalls / 2, 1));
      }
    }
    await apps.fleet.close();
    await apps.none.close();
    // One call at a time, each call is one upstream request: the mean is 1 ÷ throughput.
    const meanMs = (runs: RunResult[]): number =>
      1000 / median(runs, (r) => r.throughput).throughput;
    return {
      table: resultTable(LABELS, medians(loaded), 'fleet', true),
      paired: pairedRatio(loaded.fleet, loaded.none),
      addedPerRequestMs: meanMs(serial.fleet) - meanMs(serial.none),
    };
  } finally {
    child.kill();
    redis.server.kill();
  }
}
