import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';

/** Per-call latencies of one measured run. */
export interface RunResult {
  name: string;
  calls: number;
  seconds: number;
  /** Calls per second. */
  throughput: number;
  p50Ms: number;
  p99Ms: number;
}

/** Starts a benchmark process from bench/dist and waits for its first message. */
export async function startChild<T>(
  script: string,
  args: string[] = [],
): Promise<{ child: ChildProcess; first: T }> {
  const child = fork(join(__dirname, script), args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const first = await new Promise<T>((resolve, reject) => {
    child.once('message', (message) => resolve(message as T));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { child, first };
}

/** Asks a child for a reply to `message`. */
export function ask<T>(child: ChildProcess, message: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (reply) => resolve(reply as T));
    child.send(message);
  });
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Runs `calls` calls of `op` with `concurrency` workers pulling from one
 * counter, timing each call.
 */
export async function measure(
  name: string,
  calls: number,
  concurrency: number,
  op: (i: number) => Promise<unknown>,
): Promise<RunResult> {
  const latencies = new Float64Array(calls);
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < calls; i = next++) {
        const t0 = process.hrtime.bigint();
        await op(i);
        latencies[i] = Number(process.hrtime.bigint() - t0) / 1e6;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort();
  return {
    name,
    calls,
    seconds,
    throughput: calls / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

/** The median of several runs of one contestant, by the measure `by` gives. */
export function median<T>(runs: T[], by: (run: T) => number): T {
  const sorted = [...runs].sort((a, b) => by(a) - by(b));
  return sorted[Math.floor(sorted.length / 2)];
}

/** Runs `pairs` send + validate pairs at `concurrency`. */
export type Contestant = (pairs: number, concurrency: number) => Promise<RunResult>;

/**
 * Send + validate pairs: each worker sends, then validates what it sent. Even
 * calls send to `phones[pair % phones.length]`, odd calls validate the send
 * before them, awaiting it if it is still under way (its promise, so that the
 * wait costs no CPU: a polling wait would burn more of it the slower the send,
 * and widen any gap between contestants).
 */
export function pairs<T>(
  name: string,
  phones: readonly string[],
  send: (mobile: string) => Promise<T>,
  validate: (sent: T) => Promise<unknown>,
): Contestant {
  return (count, concurrency) => {
    // The even call of a pair always starts first (one counter, taken in order).
    const sent = new Array<Promise<T>>(count);
    return measure(name, count * 2, concurrency, async (i) => {
      const pair = i >> 1;
      if (i % 2 === 0) {
        sent[pair] = send(phones[pair % phones.length]);
        await sent[pair];
      } else {
        await validate(await sent[pair]);
      }
    });
  };
}

/** The contestants in round `round`'s order: rotated, so that none always runs first or last. */
export function inTurn<N>(names: readonly N[], round: number): N[] {
  return names.map((_, k) => names[(round + k) % names.length]);
}

/** Each contestant's median run, by the measure `by` gives (throughput unless told). */
export function medians<N extends string>(
  runs: Record<N, RunResult[]>,
  by: (run: RunResult) => number = (run) => run.throughput,
): Record<N, RunResult> {
  const entries = Object.entries<RunResult[]>(runs).map(([name, all]) => [name, median(all, by)]);
  return Object.fromEntries(entries) as Record<N, RunResult>;
}

/**
 * `runs[i].throughput ÷ others[i].throughput` round by round (each round runs
 * every contestant once, close in time), then the median: drift of a shared
 * machine between rounds cancels out.
 */
export function pairedRatio(runs: RunResult[], others: RunResult[]): number {
  const ratios = pairedRatios(runs, others);
  return ratios[ratios.length >> 1];
}

/** The rounds' throughput ratios `runs[i] ÷ others[i]`, lowest first. */
export function pairedRatios(runs: RunResult[], others: RunResult[]): number[] {
  return runs.map((run, i) => run.throughput / others[i].throughput).sort((a, b) => a - b);
}

/** How the rounds' ratios spread, for the report: `0.81 to 1.07 over 11 rounds`. */
export function ratioSpread(runs: RunResult[], others: RunResult[]): string {
  const ratios = pairedRatios(runs, others);
  return `${ratios[0].toFixed(2)} to ${ratios[ratios.length - 1].toFixed(2)} over ${ratios.length} rounds`;
}

/**
 * One row per contestant (in the order of `labels`), compared with the module's
 * row: throughput ratio (if asked) and p99 difference.
 */
export function resultTable<N extends string>(
  labels: Record<N, string>,
  results: Record<N, RunResult>,
  module: N,
  withThroughputRatio: boolean,
): string {
  const m = results[module];
  const headers = ['client', 'calls/s', 'p50 ms', 'p99 ms'];
  if (withThroughputRatio) headers.push('module ÷ it (throughput)');
  headers.push('module p99 − its p99 (ms)');
  return formatTable(
    headers,
    (Object.keys(labels) as N[]).map((name) => {
      const r = results[name];
      const row: (string | number)[] = [
        labels[name],
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

export function formatTable(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [
    line(cells[0]),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...cells.slice(1).map(line),
  ].join('\n');
}
