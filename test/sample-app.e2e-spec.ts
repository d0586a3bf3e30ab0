import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { postJson, request } from './helpers/http';
import { RunningScript, runScript } from './helpers/child-process';
import { freePort } from './helpers/free-port';

const ROOT = join(__dirname, '..');
const SAMPLE = join(ROOT, 'sample', 'dist', 'main.js');

/** The `--env-file` that `npm run sample` hands Node, checked against package.json. */
function sampleEnvFile(): string {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const match = /&& node --env-file=(\S+) sample\/dist\/main\.js$/.exec(scripts.sample);
  if (!match) {
    throw new Error(
      `npm run sample no longer runs "node --env-file=… sample/dist/main.js": ${scripts.sample}`,
    );
  }
  return join(ROOT, match[1]);
}

/**
 * The sample's environment as a shell with no settings gives it: no NODE_ENV, no
 * `VERIFYNOW_*`, plus what `npm run sample` reads with `--env-file` unless told not to.
 */
function sampleEnv(withEnvFile: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PORT: '0', NODE_ENV: undefined };
  for (const name of Object.keys(process.env)) {
    if (name.startsWith('VERIFYNOW_') || name.startsWith('VERIHUBS_')) env[name] = undefined;
  }
  return withEnvFile ? { ...env, ...parseEnv(readFileSync(sampleEnvFile(), 'utf8')) } : env;
}

/**
 * The README's walk-through, for real: the built sample app started as
 * `npm run sample` starts it, with no account and no credentials, then the curl
 * steps (send, read the code from the log, verify).
 */
describe('the sample app, as the quick start runs it', () => {
  let app: RunningScript;
  let url: string;

  beforeAll(async () => {
    // As a developer who changes PORT changes the callback address with it.
    const port = await freePort();
    app = runScript(SAMPLE, [], {
      ...sampleEnv(true),
      PORT: String(port),
      VERIHUBS_CALLBACK_URL: `http://127.0.0.1:${port}/otp/verihubs/delivery`,
    });
    [, url] = await app.waitFor(/Sample app listening on (http:\/\/\S+)/);
  });

  afterAll(async () => {
    app.process.kill('SIGTERM');
    await app.exit;
  });

  it('turns the sandbox on explicitly, through the env file npm run sample reads', () => {
    expect(sampleEnv(true)).toMatchObject({ VERIFYNOW_SANDBOX: 'true' });
  });

  it('says it runs against the embedded sandbox, because it was asked to', () => {
    expect(app.output()).toContain('embedded sandbox');
    expect(app.output()).toContain('because sandbox mode is on');
  });

  it('sends a code, logs it in sandbox mode, and verifies it', async () => {
    const sent = await postJson(`${url}/otp/send`, { phoneNumber: '+919999900001' });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({
      phoneNumber: '+********0001',
      expiresIn: 60,
      alreadyPending: false,
    });
    const [, code, verificationId] = await app.waitFor(
      /code (\d{6}) sent to \+\*+0001 by VerifyNow \(verificationId (\d+)\)/,
    );
    expect(verificationId).toBe(sent.body.verificationId);

    const wrong = await postJson(`${url}/otp/verify`, {
      verificationId,
      code: code === '000000' ? '111111' : '000000',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: 'WRONG_OTP_PROVIDED', responseCode: 702 });

    const verified = await postJson(`${url}/otp/verify`, { verificationId, code });
    expect(verified.status).toBe(200);
    expect(verified.body).toEqual({ verificationId, status: 'VERIFICATION_COMPLETED' });
  });

  it('puts /account/transfer behind OTP step-up for the signed-in demo user', async () => {
    const transfer = (headers: Record<string, string> = {}) =>
      request(`${url}/account/transfer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ amount: 250, to: 'ACC-2' }),
      });
    const challenged = await transfer();
    expect(challenged.status).toBe(401);
    expect(challenged.body).toMatchObject({ error: 'OTP_REQUIRED', expiresIn: 60 });
    const verificationId = challenged.body.verificationId as string;
    const [, code] = await app.waitFor(
      new RegExp(
        `code (\\d{6}) sent to \\+\\*+0001 by VerifyNow \\(verificationId ${verificationId}\\)`,
      ),
    );
    const proof = { 'x-otp-verification-id': verificationId, 'x-otp-code': code };
    const done = await transfer(proof);
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ status: 'transferred', amount: 250, to: 'ACC-2', verificationId });
    const replay = await transfer(proof);
    expect([replay.status, replay.body.error]).toEqual([409, 'OTP_ALREADY_USED']);

    // The audit trail: one JSON line per decision, in order, without the code.
    await app.waitFor(/"audit":"step-up","decision":"refused","code":"OTP_ALREADY_USED"/);
    const audit = app
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{"audit":"step-up"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.verificationId === verificationId);
    expect(audit.map(({ decision, code }) => [decision, code])).toEqual([
      ['challenged', undefined],
      ['passed', undefined],
      ['refused', 'OTP_ALREADY_USED'],
    ]);
    expect(audit[0]).toMatchObject({
      purpose: expect.stringContaining('/account/transfer'),
      phone: '+********0001',
      provider: 'verifynow',
    });
    expect(JSON.stringify(audit)).not.toContain(code);
  });

  it('falls over to Verihubs when VerifyNow refuses the send, once, and shows its delivery reports', async () => {
    // +6282123069429: VerifyNow's sandbox answers 429 (rate limited: certainly not sent).
    const sent = await postJson(`${url}/otp/send`, { phoneNumber: '+6282123069429' });
    expect(sent.status).toBe(200);
    const verificationId = sent.body.verificationId as string;
    const [, code] = await app.waitFor(
      new RegExp(
        `code (\\d{6}) sent to \\+\\*+9429 by Verihubs \\(verificationId ${verificationId}\\)`,
      ),
    );
    expect(app.output().match(/sent to \+\*+9429 by/g)).toHaveLength(1);
    expect(app.output()).toMatch(
      /event: 'verifynow\.failover',\s+from: 'verifynow',\s+to: 'verihubs',\s+phone: '\+\*+9429'/,
    );

    const delivery = async (id: string) => request(`${url}/otp/${id}/delivery`);
    const states = async () =>
      ((await delivery(verificationId)).body.history as { state: string }[]).map((h) => h.state);
    await waitUntil(async () => (await states()).includes('delivered'));
    expect(await states()).toEqual(['requested', 'delivered']);

    const verified = await postJson(`${url}/otp/verify`, { verificationId, code });
    expect(verified.status).toBe(200);
    await waitUntil(async () => (await states()).includes('verified'));
    expect((await delivery(verificationId)).body).toMatchObject({
      verificationId,
      provider: 'verihubs',
      state: 'verified',
    });
    expect((await delivery('no-such-verification')).status).toBe(404);
  });

  it('answers invalid input with 400 and what is expected', async () => {
    const answer = await postJson(`${url}/otp/send`, { phoneNumber: '12345' });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toEqual([expect.stringContaining('E.164')]);
  });

  it('stops on SIGTERM, taking its sandbox down with it', async () => {
    const second = runScript(SAMPLE, [], sampleEnv(true));
    const [, sandboxUrl] = await second.waitFor(/embedded sandbox at (http:\/\/\S+)/);
    await second.waitFor(/Sample app listening/);
    second.process.kill('SIGTERM');
    // Nest's shutdown hooks close the app, then re-raise the signal.
    await expect(second.exit).resolves.toEqual({ code: null, signal: 'SIGTERM' });
    expect(second.output()).not.toContain('Error');
    await expect(fetch(`${sandboxUrl}/sandbox/outbox`)).rejects.toThrow();
  });
});

describe('the sample app, without its env file', () => {
  it('refuses to boot with NODE_ENV unset and no credentials, saying how to turn the sandbox on', async () => {
    const app = runScript(SAMPLE, [], sampleEnv(false));
    const { code } = await app.exit;
    expect(code).not.toBe(0);
    const output = app.output();
    expect(output).toContain('VerifyNowConfigurationError');
    expect(output).toContain(
      'no credentials and no sandbox (VERIFYNOW_SANDBOX) setting while NODE_ENV is unset: set VERIFYNOW_SANDBOX=true (or sandbox: true) to run against the embedded sandbox',
    );
    expect(output).not.toContain('Sample app listening');
    expect(output).not.toContain('embedded sandbox at');
  });
});

/** Resolves once `check` holds, polling every 50 ms; fails after 5 s. */
async function waitUntil(check: () => Promise<boolean>): Promise<void> {
  for (const started = Date.now(); Date.now() - started < 5_000;) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the condition did not hold within 5 s');
}
