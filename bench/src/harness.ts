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
