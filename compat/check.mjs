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
// 3. With NestJS 11 in the run: creates a fresh NestJS 11 app with Jest and
//    ts-jest, runs the README's `# NestJS 11` install line as written (the
//    tarball in place of `nestjs-verifynow`), and runs one Jest test in it:
//    sandbox send → code → validate. A bare install would pull the ESM-only
//    12.x of @nestjs/axios and @nestjs/config, which Jest cannot load there.
//
// Usage: node compat/check.mjs [--nest=10,11,12] [--keep]
// Needs `npm run build` first and the npm registry.
import { execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const majors = (arg('nest') ?? '10,11,12').split(',');
const keep = process.argv.includes('--keep');

/** What each NestJS major installs beside the package. */
const STACKS = {
  10: { nest: '^10.4.0', axios: '^3.1.0', config: '^3.3.0', events: '^2.1.1' },
  11: { nest: '^11.1.0', axios: '^4.0.0', config: '^4.0.0', events: '^3.0.0' },
  12: { nest: '^12.0.0', axios: '^12.0.0', config: '^12.0.0', events: '^12.0.0' },
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

const NPM_QUIET = ['--no-audit', '--no-fund', '--loglevel=error'];

const log = (text) => process.stdout.write(`${text}\n`);
const run = (command, args, cwd, options = {}) =>
  execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
  });

function fail(message) {
  throw new Error(message);
}

/** The error's message, with the output of the command that failed, if any. */
function explain(error) {
  const output = `${error.stdout ?? ''}${error.stderr ?? ''}`;
  return output ? `${error.message}\n${output}` : error.message;
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
    '@nestjs/event-emitter': stack.events,
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
  run('npm', ['install', ...NPM_QUIET], dir);
  const version = installedVersion(dir, '@nestjs/core');
  if (!version.startsWith(`${major}.`)) fail(`expected @nestjs/core ${major}.x, got ${version}`);
  return version;
}

/** The version of a package installed at the app's top level. */
function installedVersion(dir, name) {
  return JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;
}

/**
 * The README's install line for `# NestJS <major>` (the next line in its
 * Install section), as npm's arguments with the tarball in place of the name.
 */
function readmeInstallLine(major, tarball) {
  const lines = readFileSync(join(root, 'README.md'), 'utf8').split('\n');
  const start = lines.findIndex((l) => l.trim() === '## Install');
  if (start === -1) fail('README.md has no "## Install" section');
  const end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  const section = lines.slice(start + 1, end === -1 ? undefined : end);
  const marker = section.findIndex((l) => l.trim() === `# NestJS ${major}`);
  const line = marker === -1 ? undefined : section[marker + 1]?.trim();
  if (!line?.startsWith('npm install ')) {
    fail(
      `README.md's "## Install" section needs a line "# NestJS ${major}" followed by its ` +
        `"npm install nestjs-verifynow ..." command; found ${JSON.stringify(line ?? null)}`,
    );
  }
  const words = line.split(/\s+/);
  if (/[^\w@/.^~=:*+ -]/.test(line)) {
    fail(`README.md's NestJS ${major} line is not a plain npm command: ${line}`);
  }
  if (words.filter((w) => w === 'nestjs-verifynow').length !== 1) {
    fail(`README.md's NestJS ${major} line should install nestjs-verifynow once: ${line}`);
  }
  return { line, args: words.slice(1).map((w) => (w === 'nestjs-verifynow' ? tarball : w)) };
}

const JEST_SPEC = `import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { VerifyNowModule, VerifyNowSandbox, VerifyNowService } from 'nestjs-verifynow';

describe('nestjs-verifynow under Jest', () => {
  let app: INestApplication | undefined;

  afterEach(async () => {
    await app?.close();
  });

  it('sends a code through the embedded sandbox and validates it', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [VerifyNowModule.forRoot({ sandbox: true })],
    }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
    const verifyNow = app.get(VerifyNowService);
    const sandbox = app.get(VerifyNowSandbox);

    const { verificationId } = await verifyNow.sendOtp({ phoneNumber: '+919999900001' });
    const code = sandbox.latestCode('+919999900001');
    if (code === undefined) throw new Error('the sandbox sent no code to +919999900001');
    const result = await verifyNow.validateOtp({ verificationId, code });

    expect(result.status).toBe('VERIFICATION_COMPLETED');
  });
});
`;

/**
 * A fresh NestJS 11 app with Jest: installs the package with the README's
 * line as written, then runs one Jest test against it.
 */
function jestApp(dir, tarball) {
  const { line, args } = readmeInstallLine('11', tarball);
  mkdirSync(join(dir, 'test'), { recursive: true });
  const json = (file, value) =>
    writeFileSync(join(dir, file), `${JSON.stringify(value, null, 2)}\n`);
  json('package.json', {
    name: 'compat-nest11-jest',
    private: true,
    type: 'commonjs',
    scripts: { test: 'jest' },
    dependencies: {
      '@nestjs/common': '^11',
      '@nestjs/core': '^11',
      '@nestjs/platform-express': '^11',
      'reflect-metadata': '^0.2.2',
      rxjs: '^7.8.1',
    },
    devDependencies: {
      jest: '^30',
      'ts-jest': '^29.4',
      '@types/jest': '^30',
      typescript: '~6.0.3',
      '@nestjs/testing': '^11',
      '@types/node': '^20.19',
    },
  });
  json('tsconfig.json', {
    compilerOptions: {
      module: 'node16',
      moduleResolution: 'node16',
      target: 'es2022',
      types: ['node', 'jest'],
      strict: true,
      isolatedModules: true,
      emitDecoratorMetadata: true,
      experimentalDecorators: true,
      esModuleInterop: true,
    },
    include: ['test'],
  });
  writeFileSync(
    join(dir, 'jest.config.js'),
    "module.exports = {\n  testEnvironment: 'node',\n  roots: ['<rootDir>/test'],\n" +
      "  transform: { '^.+\\\\.ts$': 'ts-jest' },\n};\n",
  );
  writeFileSync(join(dir, 'test', 'verifynow.spec.ts'), JEST_SPEC);
  run('npm', ['install', ...NPM_QUIET], dir);
  try {
    run('npm', [...args, ...NPM_QUIET], dir);
  } catch (error) {
    error.message = `the README's NestJS 11 line failed (${line}): ${error.message}`;
    throw error;
  }
  const versions = Object.fromEntries(
    ['@nestjs/core', '@nestjs/axios', '@nestjs/config'].map((n) => [n, installedVersion(dir, n)]),
  );
  if (!versions['@nestjs/core'].startsWith('11.')) {
    fail(`the README's NestJS 11 line moved @nestjs/core to ${versions['@nestjs/core']}: ${line}`);
  }
  try {
    run('npx', ['jest'], dir, { timeout: 180_000 });
  } catch (error) {
    error.message =
      error.code === 'ETIMEDOUT'
        ? 'the Jest test did not finish within 180 s (a handle left open?)'
        : `the Jest test failed with @nestjs/axios ${versions['@nestjs/axios']} and @nestjs/config ` +
          `${versions['@nestjs/config']}, as the README's NestJS 11 line installs them (${line})`;
    throw error;
  }
  return versions;
}

/** Starts the app; resolves with its URL, the sandbox's URL and a stop function. */
function boot(dir, platform) {
  const child = spawn(process.execPath, [join(dir, 'dist', 'compat-main.js'), platform], {
    cwd: dir,
    // The sandbox explicitly on, as the README's quick start turns it on.
    env: { PATH: process.env.PATH, NO_COLOR: '1', VERIFYNOW_SANDBOX: 'true' },
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

/** send → verify → protected route: challenged, proven, replay refused, each decision audited. */
async function walk({ app, sandbox, output }) {
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
  // The sample's audit trail, through @nestjs/event-emitter: delivered after the answer.
  const decisions = async () =>
    output()
      .split('\n')
      .filter((line) => line.startsWith('{"audit":"step-up"'))
      .map((line) => JSON.parse(line))
      .filter((line) => line.verificationId === proofId)
      .map(({ decision, code }) => (code ? `${decision} ${code}` : decision))
      .join(', ');
  for (let tries = 0; tries < 50 && (await decisions()).split(', ').length < 3; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expectThat(
    'step-up audit lines',
    await decisions(),
    'challenged, passed, refused OTP_ALREADY_USED',
  );
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
        log(`NestJS ${major}: FAILED: ${explain(error)}`);
      }
    }
    if (majors.includes('11')) {
      const started = Date.now();
      try {
        const versions = jestApp(join(work, 'nest11-jest'), tarball);
        const seconds = ((Date.now() - started) / 1000).toFixed(0);
        log(
          `NestJS ${versions['@nestjs/core']} + Jest: README's install line (@nestjs/axios ${versions['@nestjs/axios']}, @nestjs/config ${versions['@nestjs/config']}), one Jest test passed (${seconds} s)`,
        );
      } catch (error) {
        failed = true;
        log(`NestJS 11 + Jest: FAILED: ${explain(error)}`);
      }
    }
  } finally {
    if (keep) log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
  if (failed) process.exit(1);
}

await main();
