// The package as users install it, on every supported NestJS major.
//
// 1. Packs the built package (`npm pack`) and checks the tarball holds
//    dist/ (code and types), README, LICENSE and package.json only.
// 2. For NestJS 10, 11 and 12 (12 is ESM-only: the CommonJS build loads it
//    through Node's require(esm)), installs the tarball into a fresh app with
//    that major's packages, copies the sample's sources in, type-checks them
//    against the installed package (tsc --strict, library types included),
//    boots the sample on Express and on Fastify with plain Node, and walks
//    send → verify → protected route (challenge, proof, replay refused). The
//    app has neither ioredis nor @nestjs/terminus: it must boot, and asking
//    for the Redis store or a health check must say what to install.
//
// Usage: node compat/check.mjs [--nest=10,11,12] [--keep]
// Needs `npm run build` first and the npm registry.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const majors = (arg('nest') ?? '10,11,12').split(',');
const keep = process.argv.includes('--keep');

/** What each NestJS major installs beside the package. */
const STACKS = {
  10: { nest: '^10.4.0', axios: '^3.1.0', config: '^3.3.0' },
  11: { nest: '^11.1.0', axios: '^4.0.0', config: '^4.0.0' },
  12: { nest: '^12.0.0', axios: '^12.0.0', config: '^12.0.0' },
};
const COMMON = {
  '@nestjs/throttler': '^6.4.0',
  axios: '^1.7.0',
  'class-transformer': '^0.5.1',
  'class-validator': '^0.14.1',
  'reflect-metadata': '^0.2.2',
  rxjs: '^7.8.1',
  typescript: '~6.0.3',
  '@types/node': '^20.19.0',
};

const log = (text) => process.stdout.write(`${text}\n`);
const run = (command, args, cwd) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function fail(message) {
  throw new Error(message);
}

/** npm pack into `dir`; returns the tarball's path after checking its contents. */
function pack(dir) {
  const [info] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir], root));
  const files = info.files.map((f) => f.path);
  const stray = files.filter(
    (f) => !f.startsWith('dist/') && !['README.md', 'LICENSE', 'package.json'].includes(f),
  );
  if (stray.length > 0) fail(`the tarball holds files it should not: ${stray.join(', ')}`);
  for (const needed of ['dist/index.js', 'dist/index.d.ts', 'README.md', 'LICENSE']) {
    if (!files.includes(needed)) fail(`the tarball lacks ${needed}`);
  }
  const leaked = files.filter((f) => /\.(spec|e2e-spec)\.|\.ts$/.test(f) && !f.endsWith('.d.ts'));
  if (leaked.length > 0) fail(`the tarball holds sources or specs: ${leaked.join(', ')}`);
  log(`packed ${info.filename}: ${files.length} files, ${(info.size / 1024).toFixed(0)} kB`);
  return join(dir, info.filename);
}

function makeApp(dir, major, tarball) {
  const stack = STACKS[major] ?? fail(`no stack for NestJS ${major}`);
  mkdirSync(join(dir, 'src'), { recursive: true });
  const dependencies = {
    '@nestjs/common': stack.nest,
    '@nestjs/core': stack.nest,
    '@nestjs/platform-express': stack.nest,
    '@nestjs/platform-fastify': stack.nest,
    '@nestjs/axios': stack.axios,
    '@nestjs/config': stack.config,
    ...COMMON,
    'nestjs-verifynow': `file:${tarball}`,
  };
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify(
      { name: `compat-nest${major}`, private: true, type: 'commonjs', dependencies },
      null,
      2,
    ),
  );
  cpSync(join(root, 'compat', 'app'), dir, { recursive: true });
  for (const file of readdirSync(join(root, 'sample', 'src'))) {
    if (file !== 'main.ts') cpSync(join(root, 'sample', 'src', file), join(dir, 'src', file));
  }
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], dir);
  const installed = JSON.parse(
    run('node', ['-p', 'JSON.stringify(require("@nestjs/core/package.json"))'], dir),
  );
  if (!installed.version.startsWith(`${major}.`)) {
    fail(`expected @nestjs/core ${major}.x, got ${installed.version}`);
  }
  return installed.version;
}

/** Starts the app; resolves with its URL, the sandbox's URL and a stop function. */
function boot(dir, platform) {
  const child = spawn(process.execPath, [join(dir, 'dist', 'compat-main.js'), platform], {
    cwd: dir,
    env: { PATH: process.env.PATH, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 30 s:\n${output}`)), 30_000);
    const onData = (chunk) => {
      output += chunk;
      const app = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      const sandbox = /embedded sandbox at (http:\/\/\S+)/.exec(output)?.[1];
      if (app && sandbox) {
        clearTimeout(timer);
        resolve({
          app,
          sandbox,
          output: () => output,
          stop: () =>
            new Promise((done) => {
              child.once('exit', (code, signal) => done({ code, signal }));
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the app exited with ${code}:\n${output}`));
    });
  });
}

async function call(url, { method = 'POST', body, headers = {} } = {}) {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

function expectThat(what, actual, expected) {
  if (actual !== expected) fail(`${what}: expected ${expected}, got ${JSON.stringify(actual)}`);
}

async function codeFor(sandbox, verificationId) {
  const { body } = await call(`${sandbox}/sandbox/outbox?phoneNumber=%2B919999900001`, {
    method: 'GET',
  });
  return (
    body.messages.find((m) => m.verificationId === verificationId)?.code ??
    fail(`no message for ${verificationId} in the sandbox outbox`)
  );
}

/** send → verify → protected route: challenged, proven, replay refused. */
async function walk({ app, sandbox }) {
  const sent = await call(`${app}/otp/send`, { body: { phoneNumber: '+919999900001' } });
  expectThat('POST /otp/send status', sent.status, 200);
  const { verificationId } = sent.body;
  const wrong = await call(`${app}/otp/verify`, { body: { verificationId, code: '000000' } });
  const code = await codeFor(sandbox, verificationId);
  if (code !== '000000') expectThat('wrong code status', wrong.status, 401);
  const verified = await call(`${app}/otp/verify`, { body: { verificationId, code } });
  expectThat('POST /otp/verify status', verified.status, 200);
  expectThat('verification status', verified.body.status, 'VERIFICATION_COMPLETED');

  const bad = await call(`${app}/otp/send`, { body: { phoneNumber: '12345' } });
  expectThat('invalid phone status', bad.status, 400);

  const transfer = { amount: 250, to: 'ACC-2' };
  const challenged = await call(`${app}/account/transfer`, { body: transfer });
  expectThat('protected route without proof', challenged.status, 401);
  expectThat('protected route error', challenged.body.error, 'OTP_REQUIRED');
  const proofId = challenged.body.verificationId;
  const headers = {
    'x-otp-verification-id': proofId,
    'x-otp-code': await codeFor(sandbox, proofId),
  };
  const done = await call(`${app}/account/transfer`, { body: transfer, headers });
  expectThat('protected route with proof', done.status, 200);
  expectThat('transfer result', done.body.status, 'transferred');
  const replay = await call(`${app}/account/transfer`, { body: transfer, headers });
  expectThat('replayed proof', replay.status, 409);
  expectThat('replayed proof error', replay.body.error, 'OTP_ALREADY_USED');
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'verifynow-compat-'));
  let failed = false;
  try {
    const tarball = pack(work);
    for (const major of majors) {
      const dir = join(work, `nest${major}`);
      const started = Date.now();
      try {
        const version = makeApp(dir, major, tarball);
        run(join(dir, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], dir);
        for (const platform of ['express', 'fastify']) {
          const app = await boot(dir, platform);
          try {
            await walk(app);
          } catch (error) {
            error.message += `\n--- app output ---\n${app.output()}`;
            throw error;
          } finally {
            await app.stop();
          }
        }
        const missing = run('node', [join(dir, 'dist', 'missing-peers.js')], dir);
        for (const install of ['npm install ioredis', 'npm install @nestjs/terminus']) {
          if (!missing.includes(install)) {
            fail(`a missing optional peer should say "${install}"; the app said: ${missing}`);
          }
        }
        const seconds = ((Date.now() - started) / 1000).toFixed(0);
        log(
          `NestJS ${version}: installed, type-checked, express + fastify walked, missing optional peers reported (${seconds} s)`,
        );
      } catch (error) {
        failed = true;
        const detail =
          error.stdout || error.stderr ? `\n${error.stdout ?? ''}${error.stderr ?? ''}` : '';
        log(`NestJS ${major}: FAILED: ${error.message}${detail}`);
      }
    }
  } finally {
    if (keep) log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
  if (failed) process.exit(1);
}

await main();
