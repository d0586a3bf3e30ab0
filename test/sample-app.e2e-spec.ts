import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { postJson, request } from './helpers/http';
import { RunningScript, runScript } from './helpers/child-process';

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
    if (name.startsWith('VERIFYNOW_')) env[name] = undefined;
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
    app = runScript(SAMPLE, [], sampleEnv(true));
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
      /code (\d{6}) sent to \+\*+0001 \(verificationId (\d+)\)/,
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
      new RegExp(`code (\\d{6}) sent to \\+\\*+0001 \\(verificationId ${verificationId}\\)`),
    );
    const proof = { 'x-otp-verification-id': verificationId, 'x-otp-code': code };
    const done = await transfer(proof);
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ status: 'transferred', amount: 250, to: 'ACC-2', verificationId });
    const replay = await transfer(proof);
    expect([replay.status, replay.body.error]).toEqual([409, 'OTP_ALREADY_USED']);
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
