/**
 * Client overhead: the same send + validate calls through VerifyNowService (as
 * shipped, and with axios's own http adapter instead of its keep-alive adapter),
 * raw axios and raw undici, at one concurrency, against one minimal upstream in
 * a child process, in alternating rounds; medians reported as ratios.
 */
import 'reflect-metadata';
import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import axios from 'axios';
import { Agent as HttpAgent } from 'node:http';
import { Pool } from 'undici';
import { VerifyNowModule, VerifyNowService } from 'nestjs-verifynow';
import {
  Contestant,
  RunResult,
  ask,
  inTurn,
  medians,
  pairedRatio,
  ratioSpread,
  pairs,
  resultTable,
  startChild,
} from './harness';

export interface ClientBenchOptions {
  calls: number;
  concurrency: number;
  rounds: number;
  /** Calls made one at a time, for latency. */
  serialCalls: number;
}

/**
 * The contestants: the module as shipped, the module with axios's own http
 * adapter (same keep-alive agents) instead of its keep-alive adapter, raw axios
 * and raw undici.
 */
const CONTESTANTS = ['module', 'moduleAxiosAdapter', 'axios', 'undici'] as const;
type ContestantName = (typeof CONTESTANTS)[number];
const LABELS: Record<ContestantName, string> = {
  module: 'module',
  moduleAxiosAdapter: "module (axios's own adapter)",
  axios: 'axios',
  undici: 'undici',
};

/** The module's internal switch to axios's own adapter (`BENCH_AXIOS_ADAPTER_ENV`). */
const BENCH_AXIOS_ADAPTER_ENV = 'NESTJS_VERIFYNOW_BENCH_AXIOS_ADAPTER';

export interface ClientBenchReport {
  results: Record<ContestantName, RunResult>;
  /** The same, one call at a time. */
  serialResults: Record<ContestantName, RunResult>;
  serialTable: string;
  tokenRequests: number;
  /** Connections the upstream saw from the module during the measured rounds. */
  moduleConnections: number;
  table: string;
  /**
   * Module ÷ raw axios and module ÷ module on axios's adapter, throughput, round by
   * round (each round runs every contestant once, close in time), then the median:
   * drift of a shared machine between rounds cancels out.
   */
  paired: { axios: number; axiosAdapter: number };
  /** How the rounds' module ÷ raw axios ratios spread. */
  spread: string;
}

const CUSTOMER_ID = 'C-BENCH';
const PASSWORD = 'bench-password';
const PHONES = Array.from({ length: 1000 }, (_, i) => `99999${String(i).padStart(5, '0')}`);

/** The module in an application context of its own; with axios's own adapter if asked. */
async function startModule(
  baseUrl: string,
  axiosAdapter: boolean,
): Promise<INestApplicationContext> {
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
  // Read once, when the module creates its HttpService.
  process.env[BENCH_AXIOS_ADAPTER_ENV] = axiosAdapter ? '1' : '';
  try {
    return await NestFactory.createApplicationContext(BenchModule, { logger: ['error', 'warn'] });
  } finally {
    delete process.env[BENCH_AXIOS_ADAPTER_ENV];
  }
}

/** Send + validate through one module instance. */
function moduleContestant(name: string, service: VerifyNowService): Contestant {
  return pairs(
    name,
    PHONES,
    async (mobile) =>
      (await service.sendOtp({ countryCode: '91', mobileNumber: mobile })).verificationId,
    (verificationId) => service.validateOtp({ verificationId, code: '123456' }),
  );
}

export async function runClientBench(options: ClientBenchOptions): Promise<ClientBenchReport> {
  const { child, first } = await startChild<{ port: number }>('upstream.js');
  const baseUrl = `http://127.0.0.1:${first.port}`;
  try {
    const app = await startModule(baseUrl, false);
    const appAxiosAdapter = await startModule(baseUrl, true);

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

    const contestants: Record<ContestantName, Contestant> = {
      module: moduleContestant('module', app.get(VerifyNowService)),
      moduleAxiosAdapter: moduleContestant(
        'moduleAxiosAdapter',
        appAxiosAdapter.get(VerifyNowService),
      ),
      axios: pairs(
        'axios',
        PHONES,
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
        PHONES,
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
    const names = [...CONTESTANTS];
    // Warm-up of the other clients: JIT, connections and (for the module with
    // axios's adapter) its token. The module warms up with the upstream's
    // counters at zero, so that its token requests and connections are counted
    // from its first call.
    for (const name of names.filter((n) => n !== 'module')) {
      await contestants[name](Math.min(2000, pairCount), options.concurrency);
    }
    await ask(child, 'reset');
    await contestants.module(Math.min(2000, pairCount), options.concurrency);
    let moduleConnections = (await ask<{ connections: number }>(child, 'stats')).connections;
    const runs = emptyRuns();
    let tokenRequests = 0;
    for (let round = 0; round < options.rounds; round += 1) {
      for (const name of inTurn(names, round)) {
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
    const serial = emptyRuns();
    for (let round = 0; round < options.rounds; round += 1) {
      for (const name of inTurn(names, round)) {
        serial[name].push(await contestants[name](options.serialCalls / 2, 1));
      }
    }
    await app.close();
    await appAxiosAdapter.close();
    await pool.close();

    const byP99 = (run: RunResult): number => run.p99Ms;
    const results = medians(runs);
    const paired = {
      axios: pairedRatio(runs.module, runs.axios),
      axiosAdapter: pairedRatio(runs.module, runs.moduleAxiosAdapter),
    };
    const serialResults = medians(serial, byP99);
    const table = resultTable(LABELS, results, 'module', true);
    const serialTable = resultTable(LABELS, serialResults, 'module', false);
    // The raw clients reuse one token fetched before the counters were reset.
    const spread = ratioSpread(runs.module, runs.axios);
    return {
      results,
      serialResults,
      tokenRequests,
      moduleConnections,
      table,
      serialTable,
      paired,
      spread,
    };
  } finally {
    child.kill();
  }
}

function emptyRuns(): Record<ContestantName, RunResult[]> {
  return { module: [], moduleAxiosAdapter: [], axios: [], undici: [] };
}
