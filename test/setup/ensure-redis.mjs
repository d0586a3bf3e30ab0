// First step of `npm test`: the Redis specs need a real server, so make sure
// there is one before lint and build take minutes.
//
// - VERIFYNOW_TEST_REDIS_URL set: that server must answer PING.
// - Else redis-server on PATH: Jest's global setup starts a throwaway one.
// - Else, as root or with password-less sudo, and with apt-get: install it.
// - Else stop at once with the one command to run.
//
// Plain Node, no dependencies: it runs before `npm ci` has been checked.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { URL } from 'node:url';

const log = (text) => process.stdout.write(`ensure-redis: ${text}\n`);

function stop(text) {
  process.stderr.write(`ensure-redis: ${text}\n`);
  process.exit(1);
}

function onPath(command) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir || '.', command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Resolves with the server's first reply line to PING, or rejects. */
function ping(url, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    const port = Number(url.port || 6379);
    const host = url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
    const socket =
      url.protocol === 'rediss:'
        ? connectTls({ host, port, servername: host })
        : connect({ host, port });
    let reply = '';
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new Error(`no answer within ${timeoutMs} ms`)),
    );
    socket.once(url.protocol === 'rediss:' ? 'secureConnect' : 'connect', () =>
      socket.write('PING\r\n'),
    );
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.split('\r\n')[0]);
      }
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('the connection closed without an answer')));
  });
}

async function checkUrl(raw) {
  let url;
  try {
    url = new URL(raw);
  } catch {
    stop('VERIFYNOW_TEST_REDIS_URL is not a URL; expected e.g. redis://127.0.0.1:6379.');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    stop(`VERIFYNOW_TEST_REDIS_URL must start with redis:// or rediss://, not ${url.protocol}//.`);
  }
  // Host and port only: the URL may hold a password.
  const where = `${url.protocol}//${url.host}`;
  try {
    const reply = await ping(url);
    // A server that wants a password answers NOAUTH: it is there, and the specs authenticate.
    if (reply !== '+PONG' && !reply.startsWith('-NOAUTH')) {
      throw new Error(`it answered ${JSON.stringify(reply.slice(0, 80))}`);
    }
  } catch (error) {
    stop(
      `VERIFYNOW_TEST_REDIS_URL names ${where}, but no Redis answers there (${error.message}). ` +
        'Start that server, or unset the variable to let the tests start a redis-server of their own.',
    );
  }
}

function canSudo() {
  if (!onPath('sudo')) return false;
  return spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
}

function installAdvice() {
  const command =
    process.platform === 'darwin'
      ? 'brew install redis'
      : onPath('apt-get')
        ? 'sudo apt-get install redis-server'
        : undefined;
  const server = 'set VERIFYNOW_TEST_REDIS_URL=redis://host:port to a running server.';
  return command
    ? `Run:\n\n    ${command}\n\nor ${server}`
    : `Install Redis (the package that provides redis-server) with your system's package manager, or ${server}`;
}

function install() {
  const root = process.getuid?.() === 0;
  if (!onPath('apt-get') || !(root || canSudo())) {
    stop(`the Redis specs need a real server, and redis-server is not on PATH. ${installAdvice()}`);
  }
  log('installing redis-server with apt-get: the Redis specs need a real server.');
  const aptGet = (...args) => {
    // sudo resets the environment: `env` carries DEBIAN_FRONTEND through it.
    const [command, prefix] = root
      ? ['apt-get', []]
      : ['sudo', ['-n', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get']];
    const result = spawnSync(command, [...prefix, ...args], {
      encoding: 'utf8',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
  };
  let result = aptGet('install', '-y', '-qq', 'redis-server');
  if (!result.ok) {
    const updated = aptGet('update', '-qq');
    result = updated.ok ? aptGet('install', '-y', '-qq', 'redis-server') : updated;
  }
  const advice =
    'Run sudo apt-get install redis-server yourself, or set VERIFYNOW_TEST_REDIS_URL to a running server.';
  if (!result.ok) {
    const tail = result.output.trim().split('\n').slice(-20).join('\n');
    stop(`installing redis-server with apt-get failed:\n${tail}\n${advice}`);
  }
  const version = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) {
    const why = version.error?.message ?? `${version.stdout}${version.stderr}`.trim();
    stop(`apt-get installed redis-server, but redis-server --version failed (${why}). ${advice}`);
  }
  log(`installed: ${version.stdout.trim()}`);
}

const url = process.env.VERIFYNOW_TEST_REDIS_URL;
if (url) await checkUrl(url);
else if (!onPath('redis-server')) install();
