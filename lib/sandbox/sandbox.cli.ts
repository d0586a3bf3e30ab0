#!/usr/bin/env node
/**
 * `verifynow-sandbox`: runs the VerifyNow sandbox on its own, for curl, Postman or
 * any client. Prints its address, then each code it "sends".
 *
 * @internal
 */
import { maskPhoneNumber } from '../redaction/redact.util';
import { VerifyNowSandbox, VerifyNowSandboxOptions } from './verifynow.sandbox';

const USAGE = `Usage: verifynow-sandbox [options]

Runs a local stand-in for the VerifyNow API (token, send and validate, v3 and v2 paths).

Options:
  --port <n>          port to listen on (default 4010; 0 picks a free one)
  --host <address>    address to listen on (default 127.0.0.1); requests must
                      still name a loopback Host (localhost, 127.x.x.x, [::1])
  --code <digits>     fixed code for every verification (default: random;
                      also VERIFYNOW_SANDBOX_CODE)
  --customer-id <id>  accept only this customer id (default: any)
  --password <text>   accept only this password (default: any)
  --token-ttl <s>     token lifetime in seconds (default 3600)
  --code-ttl <s>      code lifetime in seconds (default 60)
  -h, --help          show this text`;

type Flag = 'port' | 'host' | 'code' | 'customer-id' | 'password' | 'token-ttl' | 'code-ttl';
const FLAGS = new Set<string>([
  'port',
  'host',
  'code',
  'customer-id',
  'password',
  'token-ttl',
  'code-ttl',
]);

function fail(message: string): never {
  process.stderr.write(`verifynow-sandbox: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function parseArgs(argv: readonly string[]): Partial<Record<Flag, string>> {
  const values: Partial<Record<Flag, string>> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match || !FLAGS.has(match[1])) {
      fail(`unknown argument ${JSON.stringify(arg)}`);
    }
    const value = match[2] ?? argv[++i];
    if (value === undefined) {
      fail(`--${match[1]} needs a value`);
    }
    values[match[1] as Flag] = value;
  }
  return values;
}

function integer(
  name: string,
  text: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (text === undefined) {
    return undefined;
  }
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    fail(`--${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const code = args.code ?? process.env.VERIFYNOW_SANDBOX_CODE;
  if (code !== undefined && !/^\d{4,8}$/.test(code)) {
    fail('--code (or VERIFYNOW_SANDBOX_CODE) must be 4 to 8 digits');
  }
  const options: VerifyNowSandboxOptions & { port?: number; host?: string } = {
    port: integer('port', args.port, 0, 65_535) ?? 4010,
    host: args.host ?? '127.0.0.1',
    code,
    customerId: args['customer-id'],
    password: args.password,
    tokenTtlSeconds: integer('token-ttl', args['token-ttl'], 1, 31_536_000),
    codeTtlSeconds: integer('code-ttl', args['code-ttl'], 1, 86_400),
  };
  const sandbox = await VerifyNowSandbox.start(options);
  sandbox.onMessage((message) => {
    process.stdout.write(
      `code ${message.code} for verification ${message.verificationId} (${maskPhoneNumber(message.phoneNumber)}, ${message.flowType})\n`,
    );
  });
  process.stdout.write(`VerifyNow sandbox listening on ${sandbox.url}\n`);
  const stop = (): void => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `verifynow-sandbox: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
