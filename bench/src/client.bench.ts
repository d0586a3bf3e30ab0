/**
 * Client overhead: the same send + validate calls through VerifyNowService, raw
 * axios and raw undici, at one concurrency, against one minimal upstream in a
 * child process, in alternating rounds; medians reported as ratios.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import axios from 'axios';
import { Agent as HttpAgent } from 'node:http';
import { Pool } from 'undici';
import { VerifyNowModule, VerifyNowService } from 'nestjs-verifynow';
import { RunResult, ask, formatTable, measure, median, startChild } from './harness';

export interface ClientBenchOptions {
  calls: number;
  concurrency: number;
  rounds: number;
  /** Calls made one at a time, for latency. */
  serialCalls: number;
}

export interface ClientBenchReport {
  results: Record<'module' | 'axios' | 'undici', RunResult>;
  /** The same, one call at a time. */
  serialResults: Record<'module' | 'axios' | 'undici', RunResult>;
  serialTable: string;
  tokenRequests: number;
  /** Connections the upstream saw from the module during the measured rounds. */
  moduleConnections: number;
  table: string;
}

const CUSTOMER_ID = 'C-BENCH';
const PASSWORD = 'bench-password';
const PHONES = Array.from({ length: 1000 }, (_, i) => `99999${String(i).padStart(5, '0')}`);

type Contestant = (pairs: number, concurrency: number) => Promise<RunResult>;

/** Runs `pairs` send + validate pairs: each worker sends, then validates what it sent. */
function pairs(
  name: string,
  send: (mobile: string) => Promise<string>,
  validate: (verificationId: string) => Promise<unknown>,
): Contestant {
  return (count, concurrency) => {
    const ids: string[] = new Array<string>(count);
    // Even calls send, odd calls validate the send before them.
    return measure(name, count * 2, concurrency, async (i) => {
      const pair = i >> 1;
      if (i % 2 === 0) {
        ids[pair] = await send(PHONES[pair % PHONES.length]);
      } else {
        while (ids[pair] === undefined) await new Promise((resolve) => setImmediate(resolve));
        await validate(ids[pair]);
      }
    });
  };
}

export async function runClientBench(options: ClientBenchOptions): Promise<ClientBenchReport> {
  const { child, first } = await startChild<{ port: number }>('upstream.js');
  const baseUrl = `http://127.0.0.1:${first.port}`;
  try {
    @Module({
      imports: [
        VerifyNowModule.forRoot({
          customerId: CUSTOMER_ID,
          password: PASSWORD,
          baseUrl,
          // Policies that would throttle a benchmark by design: the rate cap and the send limits.
          maxRequestsPerSecond: 0,
          limits: false,
        }),
      ],
    })
    class BenchModule {}
    const app = await NestFactory.createApplicationContext(BenchModule, {
      logger: ['error', 'warn'],
    });
    const service = app.get(VerifyNowService);

    const ax = axios.create({ baseURL: baseUrl, httpAgent: new HttpAgent({ keepAlive: true }) });
    const pool = new Pool(baseUrl, { connections: options.concurrency });
    const key = Buffer.from(PASSWORD).toString('base64');
    const token = (
      (
        await ax.get(`/auth/v1/authentication/token`, {
          params: { customerId: CUSTOMER_ID, key, scope: 'NEW' },
        })
      ).data as { token: string }
    ).token;

    const contestants: Record<'module' | 'axios' | 'undici', Contestant> = {
      module: pairs(
        'module',
        async (mobile) =>
          (await service.sendOtp({ countryCode: '91', mobileNumber: mobile })).verificationId,
        (verificationId) => service.validateOtp({ verificationId, code: '123456' }),
      ),
      axios: pairs(
        'axios',
        async (mobile) =>
          (
            (
              await ax.post('/verification/v3/send', null, {
                params: {
                  countryCode: '91',
                  customerId: CUSTOMER_ID,
                  flowType: 'SMS',
                  mobileNumber: mobile,
                  otpLength: 6,
                },
                headers: { authToken: token },
              })
            ).data as { data: { verificationId: string } }
          ).data.verificationId,
        (verificationId) =>
          ax.get('/verification/v3/validateOtp', {
            params: { verificationId, code: '123456' },
            headers: { authToken: token },
          }),
      ),
      undici: pairs(
        'undici',
        async (mobile) => {
          const response = await pool.request({
            method: 'POST',
            path: `/verification/v3/send?countryCode=91&customerId=${CUSTOMER_ID}&flowType=SMS&mobileNumber=${mobile}&otpLength=6`,
            headers: { authToken: token },
          });
          return ((await response.body.json()) as { data: { verificationId: string } }).data
            .verificationId;
        },
        async (verificationId) => {
          const response = await pool.request({
            method: 'GET',
            path: `/verification/v3/validateOtp?verificationId=${verificationId}&code=123456`,
            headers: { authToken: token },
          });
          return response.body.json();
        },
      ),
    };

    const pairCount = options.calls / 2;
    const names = Object.keys(contestants) as (keyof typeof contestants)[];
    // Warm-up of the raw clients: JIT and connections. The module warms up with
    // the upstream's counters at zero, so that its token requests and
    // connections are counted from its first call.
    for (const name of names.filter((n) => n !== 'module')) {
      await contestants[name](Math.min(2000, pairCount), options.concurrency);
    }
    await ask(child, 'reset');
    await contestants.module(Math.min(2000, pairCount), options.concurrency);
    let moduleConnections = (await ask<{ connections: number }>(child, 'stats')).connections;
    const runs: Record<string, RunResult[]> = { module: [], axios: [], undici: [] };
    let tokenRequests = 0;
    for (let round = 0; round < options.rounds; round += 1) {
      // Rotate the order, so that no contestant always runs first or last.
      for (let k = 0; k < names.length; k += 1) {
        const name = names[(round + k) % names.length];
        if (name === 'module') {
          const before = await ask<{ tokenRequests: number; connections: number }>(child, 'stats');
          runs.module.push(await contestants.module(pairCount, options.concurrency));
          const after = await ask<{ tokenRequests: number; connections: number }>(child, 'stats');
          moduleConnections += after.connections - before.connections;
          tokenRequests = after.tokenRequests;
        } else {
          runs[name].push(await contestants[name](pairCount, options.concurrency));
        }
      }
    }
    // Latency alone: one call at a time, so that what is added per call is not
    // hidden in (or inflated by) the queue that 64 concurrent calls build up.
    const serial: Record<string, RunResult[]> = { module: [], axios: [], undici: [] };
    for (let round = 0; round < options.rounds; round += 1) {
      for (let k = 0; k < names.length; k += 1) {
        const name = names[(round + k) % names.length];
        serial[name].push(await contestants[name](options.serialCalls / 2, 1));
      }
    }
    await app.close();
    await pool.close();

    const byP99 = (run: RunResult): number => run.p99Ms;
    const results = medians(runs);
    const serialResults = medians(serial, byP99);
    const table = resultTable(results, true);
    const serialTable = resultTable(serialResults, false);
    // The raw clients reuse one token fetched before the counters were reset.
    return { results, serialResults, tokenRequests, moduleConnections, table, serialTable };
  } finally {
    child.kill();
  }
}

const CONTESTANTS = ['module', 'axios', 'undici'] as const;

function medians(
  runs: Record<string, RunResult[]>,
  by: (run: RunResult) => number = (run) => run.throughput,
): Record<(typeof CONTESTANTS)[number], RunResult> {
  return {
    module: median(runs.module, by),
    axios: median(runs.axios, by),
    undici: median(runs.undici, by),
  };
}

/** One row per contestant, compared with the module. */
function resultTable(
  results: Record<(typeof CONTESTANTS)[number], RunResult>,
  withThroughputRatio: boolean,
): string {
  const m = results.module;
  const headers = ['client', 'calls/s', 'p50 ms', 'p99 ms'];
  if (withThroughputRatio) headers.push('module ÷ it (throughput)');
  headers.push('module p99 − its p99 (ms)');
  return formatTable(
    headers,
    CONTESTANTS.map((name) => {
      const r = results[name];
      const row: (string | number)[] = [
        name,
        Math.round(r.throughput),
        r.p50Ms.toFixed(3),
        r.p99Ms.toFixed(3),
      ];
      if (withThroughputRatio) row.push((m.throughput / r.throughput).toFixed(2));
      row.push((m.p99Ms - r.p99Ms).toFixed(3));
      return row;
    }),
  );
}
