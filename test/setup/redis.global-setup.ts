import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

declare global {
  var verifyNowTestRedis: ChildProcess | undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * The Redis specs talk to a real server: the one `VERIFYNOW_TEST_REDIS_URL` names
 * (CI starts one), or else a `redis-server` started here on a free port, without
 * persistence, and stopped after the run.
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
          `The Redis specs need a redis-server (apt-get install redis-server) or VERIFYNOW_TEST_REDIS_URL: ${reason}`,
        ),
      );
    server.once('error', (error) => fail(error.message));
    server.once('exit', (code) => fail(`redis-server exited with ${code}: ${output}`));
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
