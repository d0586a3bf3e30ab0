/**
 * Runs the benchmarks and prints one table each, with the targets they are
 * held to. `--quick` runs smaller sizes; `--only=client,verihubs,telemetry,fleet,guard,memory` picks;
 * `--rounds=N` and `--calls=N` set the paired rounds and their calls.
 * Exits non-zero if a run fails (not if a target is missed: the table says so).
 */
import { runClientBench } from './client.bench';
import { runFleetCapBench } from './fleet-cap.bench';
import { runGuardBench } from './guard.bench';
import { runMemoryBench } from './memory.bench';
import type { RunResult } from './harness';
import { runTelemetryBench } from './telemetry.bench';
import { runVerihubsBench } from './verihubs.bench';

const quick = process.argv.includes('--quick');
/**
 * Client rounds: many short ones rather than a few long ones, each contestant in
 * turn, so that the median of the paired ratios rests on enough pairs to stand
 * against a shared machine's drift (one round's ratio moves by ±20% here).
 */
const option = (name: string): string | undefined =>
  process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const ROUNDS = Number(option('rounds') ?? (quick ? 5 : 11));
/** Calls per round of the client, Verihubs and telemetry sections (`--calls=N`, even). */
const CALLS = Number(option('calls') ?? (quick ? 2_000 : 10_000));
const only = option('only')?.split(',');
const wanted = (name: string): boolean => only === undefined || only.includes(name);
const verdict = (ok: boolean): string => (ok ? 'met' : 'MISSED');

async function main(): Promise<void> {
  const out = (text: string): boolean => process.stdout.write(`${text}\n`);
  out(
    `nestjs-verifynow benchmarks (${quick ? 'quick' : 'full'}), Node ${process.version}, ${new Date().toISOString()}`,
  );

  if (wanted('client')) {
    const calls = CALLS;
    const serialCalls = quick ? 1_000 : 4_000;
    const report = await runClientBench({
      calls,
      concurrency: 64,
      rounds: ROUNDS,
      serialCalls,
    });
    const { module: m, moduleAxiosAdapter, axios, undici } = report.results;
    againstAxios(out, 'Client', calls, serialCalls, {
      ...report,
      paired: report.paired.axios,
      extra: [
        `- module with axios's own adapter ÷ raw axios: ${(moduleAxiosAdapter.throughput / axios.throughput).toFixed(2)} (≥ 0.95 would make the keep-alive adapter unneeded: ${moduleAxiosAdapter.throughput >= 0.95 * axios.throughput ? 'yes' : 'no'}); module ÷ it, paired: ${report.paired.axiosAdapter.toFixed(2)}`,
        `- throughput ÷ raw undici: ${(m.throughput / undici.throughput).toFixed(2)} (target ≥ 0.8: ${verdict(m.throughput >= 0.8 * undici.throughput)})`,
      ],
    });
    out(
      `- token requests by the module: ${report.tokenRequests} (target 1: ${verdict(report.tokenRequests === 1)})`,
    );
    out(
      `- upstream connections opened by the module: ${report.moduleConnections} (keep-alive: at most the concurrency)`,
    );
  }

  if (wanted('verihubs')) {
    const calls = CALLS;
    const serialCalls = quick ? 1_000 : 4_000;
    const report = await runVerihubsBench({
      calls,
      concurrency: 64,
      rounds: ROUNDS,
      serialCalls,
    });
    againstAxios(out, 'Verihubs client', calls, serialCalls, { ...report, extra: [] });
    out(
      `- upstream connections opened by the module: ${report.moduleConnections} (keep-alive: at most the concurrency)`,
    );
    out(
      `- verifies the upstream refused (a code other than the one sent): ${report.refused} (target 0: ${verdict(report.refused === 0)})`,
    );
  }

  if (wanted('telemetry')) {
    const calls = CALLS;
    const report = await runTelemetryBench({ calls, concurrency: 64, rounds: ROUNDS });
    out(
      `\n## Events and OpenTelemetry: ${calls} calls (sendOtp + validateOtp pairs), concurrency 64, median of rounds\n`,
    );
    out(report.table);
    const { calls: made, events, spans, metricExports } = report.produced;
    out(
      `\n- throughput on ÷ off, median of the rounds' paired ratios: ${report.paired.toFixed(2)} (target ≥ 0.95: ${verdict(report.paired >= 0.95)}; the rounds: ${report.spread})`,
    );
    out(
      `- the SDK's own work, done by hand around the same calls (hand-instrumented ÷ off, paired): ${report.pairedHandOff.toFixed(2)}`,
    );
    out(
      `- what the module adds beyond that work (on ÷ hand-instrumented, paired): ${report.pairedOnHand.toFixed(2)} (the rounds: ${report.spreadOnHand})`,
    );
    out(
      `- what "on" produced: ${events} events to each listener, ${spans} spans for ${made} calls (one per call: ${spans === made ? 'yes' : 'NO'}), ${metricExports} metric exports`,
    );
  }

  if (wanted('fleet')) {
    const calls = quick ? 2_000 : 10_000;
    const serialCalls = quick ? 500 : 2_000;
    const report = await runFleetCapBench({ calls, serialCalls, rounds: ROUNDS });
    out(
      `\n## Fleet rate cap (Redis): ${calls} calls at concurrency 64 and ${serialCalls} one at a time, median of rounds\n`,
    );
    out(report.table);
    out(
      `\n- throughput with the fleet cap ÷ without a cap, paired: ${report.paired.toFixed(2)} (informative)`,
    );
    out(
      `- latency the fleet cap adds per upstream request, one call at a time: ${(report.addedPerRequestMs * 1000).toFixed(0)} µs (one Redis round trip)`,
    );
  }

  if (wanted('guard')) {
    // Each round's difference is taken within one run; the median of a few such rounds.
    const GUARD_ROUNDS = quick ? 3 : 5;
    const requests = quick ? 1_000 : 5_000;
    // One connection: the guard's own cost per request. Eight: the same under
    // load, where every microsecond it spends also waits in the queue.
    for (const connections of [1, 8]) {
      const report = await runGuardBench({ requests, connections, rounds: GUARD_ROUNDS });
      out(
        `\n## Guard: ${requests} requests per route and round, both routes interleaved, ${connections} connection(s) (autocannon), the round with the median p99 difference of ${GUARD_ROUNDS}\n`,
      );
      out(report.table);
      const target =
        connections === 1
          ? ` (target ≤ 1: ${verdict(report.overheadP99Ms <= 1)})`
          : ' (under load: informative)';
      out(
        `\n- guard overhead, the median of the rounds' differences: ${report.overheadMeanMs.toFixed(2)} ms mean, ${report.overheadP99Ms.toFixed(2)} ms at p99${target}`,
      );
    }
  }

  if (wanted('memory')) {
    const verifications = quick ? 200_000 : 1_000_000;
    const report = await runMemoryBench({ verifications });
    out(`\n## Memory: ${verifications} verifications through the in-memory ledger, then expiry\n`);
    out(report.table);
    out(
      `\n- heap growth after expiry: ${report.growthMb.toFixed(1)} MB (target ≤ 50: ${verdict(report.growthMb <= 50)})`,
    );
  }
}

/** What a client benchmark (VerifyNow's or Verihubs') reports against raw axios. */
interface AgainstAxios {
  results: { module: RunResult; axios: RunResult };
  serialResults: { module: RunResult; axios: RunResult };
  table: string;
  serialTable: string;
  /** Module ÷ raw axios: the median of the rounds' paired ratios. */
  paired: number;
  spread: string;
  /** Lines of the benchmark's own after the throughput's. */
  extra: string[];
}

/** The lines every client benchmark prints: throughput and latency against raw axios. */
function againstAxios(
  out: (text: string) => boolean,
  title: string,
  calls: number,
  serialCalls: number,
  report: AgainstAxios,
): void {
  const { module: m, axios } = report.results;
  out(
    `\n## ${title}: ${calls} calls (sendOtp + validateOtp pairs), concurrency 64, median of rounds\n`,
  );
  out(report.table);
  out(
    `\n- throughput ÷ raw axios, median of the rounds' paired ratios: ${report.paired.toFixed(2)} (target ≥ 0.95: ${verdict(report.paired >= 0.95)}; the rounds: ${report.spread}); ratio of the median rounds above: ${(m.throughput / axios.throughput).toFixed(2)}`,
  );
  report.extra.forEach((line) => out(line));
  out(
    `- p99 under load vs raw axios: ${(m.p99Ms - axios.p99Ms).toFixed(3)} ms (queueing included: informative)`,
  );
  const added = report.serialResults.module.p99Ms - report.serialResults.axios.p99Ms;
  out(`\n### The same calls one at a time (${serialCalls} calls): latency\n`);
  out(report.serialTable);
  out(
    `\n- added p99 vs raw axios: ${added.toFixed(3)} ms (target ≤ 0.5: ${verdict(added <= 0.5)})`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
