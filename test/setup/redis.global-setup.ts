import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/free-port';

declare global {
  var verifyNowTestRedis: ChildProcess | undefined;
}

/**
 * The Redis specs talk to a real server: the one `VERIFYNOW_TEST_REDIS_URL` names,
 * or else a `redis-server` from PATH started here on a free port, without
 * persistence, and stopped after the run (`npm test` first runs
 * `ensure-redis.mjs`, which installs redis-server when it is missing and can).
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.VERIFYNOW_TEST_REDIS_URL) {
    return;
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'verifynow-redis-'));
  const server = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const fail = (reason: string): void =>
      reject(
        new Error(
          `The Redis specs need a real server, and ${reason}. Run \`node test/setup/ensure-redis.mjs\` ` +
            '(`npm test` does: it installs redis-server when it runs as root or can sudo, or names the command to run), ' +
            'or set VERIFYNOW_TEST_REDIS_URL to a running server.',
        ),
      );
    server.once('error', (error: NodeJS.ErrnoException) =>
      fail(
        error.code === 'ENOENT'
          ? 'redis-server is not on PATH'
          : `redis-server did not start: ${error.message}`,
      ),
    );
    server.once('exit', (code) => fail(`redis-server exited with ${code}: ${output.trim()}`));
    server.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        server.removeAllListeners('exit');
        resolve();
      }
    });
  });
  globalThis.verifyNowTestRedis = server;
  process.env.VERIFYNOW_TEST_REDIS_URL = `redis://127.0.0.1:${port}`;
}
