/**
 * Verihubs client overhead: the same send + verify calls through
 * VerifyNowService (live mode, Verihubs its one provider) and through raw axios,
 * at one concurrency, against the minimal upstream in a child process, in
 * alternating rounds; medians reported as ratios.
 */
import 'reflect-metadata';
import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import axios from 'axios';
import { randomInt } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
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

export interface VerihubsBenchOptions {
  calls: number;
  concurrency: number;
  rounds: number;
  /** Calls made one at a time, for latency. */
  serialCalls: number;
}

const CONTESTANTS = ['module', 'axios'] as const;
type ContestantName = (typeof CONTESTANTS)[number];
const LABELS: Record<ContestantName, string> = { module: 'module', axios: 'axios' };

export interface VerihubsBenchReport {
  results: Record<ContestantName, RunResult>;
  /** Every measured round, in order. */
  runs: Record<ContestantName, RunResult[]>;
  /** The same, one call at a time. */
  serialResults: Record<ContestantName, RunResult>;
  table: string;
  serialTable: string;
  /** Module ÷ raw axios, throughput: the median of the rounds' paired ratios. */
  paired: number;
  /** How the rounds' module ÷ raw axios ratios spread. */
  spread: string;
  /** Connections the upstream saw from the module during the measured rounds. */
  moduleConnections: number;
  /** Requests the upstream refused (a code that was not the one sent, say): 0 expected. */
  refused: number;
}

const APP_ID = 'bench-app-id';
const API_KEY = 'bench-api-key';
/** Sent by both contestants, so that the bodies are the same. */
const TEMPLATE = 'Your verification code is $OTP. Do not share it.';
const CHALLENGE = 'bench';
const TIME_LIMIT_SECONDS = 300;
const OTP_LENGTH = 6;
const COUNTRY_CODE = '62';
/** Indonesian mobile numbers, without the country code. */
const PHONES = Array.from({ length: 1000 }, (_, i) => `8123400${String(i).padStart(3, '0')}`);

/** The code a send carried, from its id: the upstream's `session_id` ends with `-<code>`. */
const codeOf = (verificationId: string): string =>
  verificationId.slice(verificationId.lastIndexOf('-') + 1);

async function startModule(baseUrl: string): Promise<INestApplicationContext> {
  @Module({
    imports: [
      VerifyNowModule.forRoot({
        providers: ['verihubs'],
        verihubs: {
          appId: APP_ID,
          apiKey: API_KEY,
          baseUrl,
          template: TEMPLATE,
          challenge: CHALLENGE,
          timeLimitSeconds: TIME_LIMIT_SECONDS,
          // Policies that would throttle a benchmark by design: the rate cap and the send limits.
          maxRequestsPerSecond: 0,
        },
        otpLength: OTP_LENGTH,
        limits: false,
      }),
    ],
  })
  class BenchModule {}
  return NestFactory.createApplicationContext(BenchModule, { logger: ['error', 'warn'] });
}

function contestants(service: VerifyNowService, baseUrl: string) {
  const ax = axios.create({ baseURL: baseUrl, httpAgent: new HttpAgent({ keepAlive: true }) });
  // The headers the module sends Verihubs.
  const headers = {
    Accept: 'application/json',
    'Content-Type': 'application/json',
    'App-ID': APP_ID,
    'API-Key': API_KEY,
  };
  const all: Record<ContestantName, Contestant> = {
    module: pairs(
      'module',
      PHONES,
      async (mobileNumber) =>
        (await service.sendOtp({ countryCode: COUNTRY_CODE, mobileNumber })).verificationId,
      (verificationId) => service.validateOtp({ verificationId, code: codeOf(verificationId) }),
    ),
    axios: pairs(
      'axios',
      PHONES,
      async (mobile) => {
        const msisdn = `${COUNTRY_CODE}${mobile}`;
        const otp = String(randomInt(0, 10 ** OTP_LENGTH)).padStart(OTP_LENGTH, '0');
        const time_limit = String(TIME_LIMIT_SECONDS);
        const body = { msisdn, template: TEMPLATE, otp, time_limit, challenge: CHALLENGE };
        await ax.post('/v2/otp/send', body, { headers });
        return { msisdn, otp };
      },
      ({ msisdn, otp }) =>
        ax.post('/v2/otp/verify', { msisdn, otp, challenge: CHALLENGE }, { headers }),
    ),
  };
  return all;
}

export async function runVerihubsBench(
  options: VerihubsBenchOptions,
): Promise<VerihubsBenchReport> {
  const { child, first } = await startChild<{ port: number }>('upstream.js');
  const baseUrl = `http://127.0.0.1:${first.port}`;
  type Stats = { connections: number; verihubsRefused: number };
  try {
    const app = await startModule(baseUrl);
    const run = contestants(app.get(VerifyNowService), baseUrl);
    const pairCount = options.calls / 2;
    const names = [...CONTESTANTS];
    // Warm-up: JIT and connections. The module warms up with the upstream's
    // counters at zero, so that its connections are counted from its first call.
    const warmUp = Math.min(2000, pairCount);
    await run.axios(warmUp, options.concurrency);
    await ask(child, 'reset');
    await run.module(warmUp, options.concurrency);
    let moduleConnections = (await ask<Stats>(child, 'stats')).connections;
    const runs: Record<ContestantName, RunResult[]> = { module: [], axios: [] };
    for (let round = 0; round < options.rounds; round += 1) {
      for (const name of inTurn(names, round)) {
        const before = name === 'module' ? await ask<Stats>(child, 'stats') : undefined;
        runs[name].push(await run[name](pairCount, options.concurrency));
        if (before !== undefined) {
          const after = await ask<Stats>(child, 'stats');
          moduleConnections += after.connections - before.connections;
        }
      }
    }
    // Latency alone: one call at a time, without the queue of concurrent calls.
    const serial: Record<ContestantName, RunResult[]> = { module: [], axios: [] };
    for (let round = 0; round < options.rounds; round += 1) {
      for (const name of inTurn(names, round)) {
        serial[name].push(await run[name](options.serialCalls / 2, 1));
      }
    }
    const refused = (await ask<Stats>(child, 'stats')).verihubsRefused;
    await app.close();

    const results = medians(runs);
    const serialResults = medians(serial, (r) => r.p99Ms);
    return {
      results,
      runs,
      serialResults,
      table: resultTable(LABELS, results, 'module', true),
      serialTable: resultTable(LABELS, serialResults, 'module', false),
      paired: pairedRatio(runs.module, runs.axios),
      spread: ratioSpread(runs.module, runs.axios),
      moduleConnections,
      refused,
    };
  } finally {
    child.kill();
  }
}
