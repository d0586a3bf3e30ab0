import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** A Node script running as a child process, its output collected. */
export interface RunningScript {
  process: ChildProcess;
  /** Resolves with the first match of `pattern` in the output, waiting for it. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  /** Resolves with the exit code, or the signal that ended the process. */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

/** Runs a built script with Node, as a user would from a shell. */
export function runScript(
  script: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
): RunningScript {
  if (!existsSync(script)) {
    throw new Error(`${script} is missing: run "npm run build" and "npm run build:sample" first`);
  }
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    output += chunk.toString();
    waiters.forEach((check) => check());
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const waitFor = (pattern: RegExp): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const match = output.match(pattern);
        if (match) {
          waiters.delete(check);
          resolve(match);
        }
      };
      waiters.add(check);
      check();
      void exit.then(() => {
        if (waiters.delete(check)) {
          reject(new Error(`exited without printing ${String(pattern)}:\n${output}`));
        }
      });
    });
  return { process: child, waitFor, exit, output: () => output };
}
