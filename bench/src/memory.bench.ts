/**
 * Memory: a million verifications through the in-memory ledger (recorded,
 * claimed, settled, as the step-up guard does), the clock moved past their
 * lifetime, and the heap measured after a forced collection, against the heap
 * before the first. Runs in a child with `--expose-gc` so that `gc()` exists.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { formatTable } from './harness';

export interface MemoryBenchOptions {
  verifications: number;
}

export interface MemoryReport {
  baselineMb: number;
  peakMb: number;
  afterExpiryMb: number;
  liveAfterExpiry: number;
  growthMb: number;
  seconds: number;
  table: string;
}

export function runMemoryBench(options: MemoryBenchOptions): Promise<MemoryReport> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'memory-ledger.js'), [String(options.verifications)], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', (message) => {
      const m = message as Omit<MemoryReport, 'table' | 'growthMb'>;
      const growthMb = m.afterExpiryMb - m.baselineMb;
      const table = formatTable(
        ['heap before', 'heap at peak', 'heap after expiry', 'growth', 'records left', 'seconds'],
        [
          [
            `${m.baselineMb.toFixed(1)} MB`,
            `${m.peakMb.toFixed(1)} MB`,
            `${m.afterExpiryMb.toFixed(1)} MB`,
            `${growthMb.toFixed(1)} MB`,
            m.liveAfterExpiry,
            m.seconds.toFixed(1),
          ],
        ],
      );
      resolve({ ...m, growthMb, table });
    });
    child.once('exit', (code) => reject(new Error(`memory benchmark exited with ${code}`)));
  });
}
