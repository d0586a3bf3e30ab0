#!/usr/bin/env node
/**
 * `verifynow-sandbox`: runs the sandbox (VerifyNow's and Verihubs' APIs) on its
 * own, for curl, Postman or any client. Prints its address, then each code it "sends".
 *
 * @internal
 */
import {
  VERIHUBS_MAGIC_DOWN,
  VERIHUBS_MAGIC_SEND,
  VERIHUBS_MAGIC_VERIFY,
  VerihubsMagicOutcome,
} from '../providers/verihubs/sandbox/verihubs-sandbox.magic-numbers';
import { SEED_MAGIC_NUMBERS } from '../providers/verifynow/sandbox/verifynow-sandbox.magic-numbers';
import { maskPhoneNumber } from '../redaction/redact.util';
import {
  VerifyNowSandbox,
  VerifyNowSandboxMessage,
  VerifyNowSandboxOptions,
  VerihubsSandboxMessage,
} from './verifynow.sandbox';

/** What `--provider` takes, and the providers each value serves. */
const PROVIDERS = {
  both: ['verifynow', 'verihubs'],
  verifynow: ['verifynow'],
  verihubs: ['verihubs'],
} as const satisfies Record<string, NonNullable<VerifyNowSandboxOptions['providers']>>;

/** The providers' names as printed. */
const NAMES = { verifynow: 'VerifyNow', verihubs: 'Verihubs' } as const;

/** One line of the Verihubs magic numbers' list. */
function verihubsMagicLine(
  endpoints: string,
  msisdn: string,
  outcome: VerihubsMagicOutcome,
): string {
  const what =
    outcome.kind === 'reset'
      ? 'no answer: the connection is reset'
      : `${outcome.status} ${outcome.message}${outcome.kind === 'accept' ? ' (sent as usual)' : ''}`;
  return `  ${endpoints.padEnd(8)}${msisdn}  ${what}`;
}

/** The magic numbers of both providers, as the usage lists them; built from their tables. */
function magicNumbers(): string {
  const verifyNow = Object.entries(SEED_MAGIC_NUMBERS).map(([number, outcome]) => {
    const status = 'httpStatus' in outcome ? `${outcome.httpStatus} ` : '';
    const message = 'message' in outcome ? (outcome.message ?? '') : '';
    const sent = outcome.kind === 'accept' ? ' (sent as usual)' : '';
    return `  +${number}  ${status}${message}${sent}`;
  });
  const verihubs = [
    ...Object.entries(VERIHUBS_MAGIC_SEND).map(([n, o]) => verihubsMagicLine('send', n, o)),
    ...Object.entries(VERIHUBS_MAGIC_VERIFY).map(([n, o]) => verihubsMagicLine('verify', n, o)),
    ...Object.entries(VERIHUBS_MAGIC_DOWN).map(([n, o]) => verihubsMagicLine('both', n, o)),
  ];
  return [
    'VerifyNow magic numbers (countryCode and mobileNumber of a send):',
    ...verifyNow,
    '  +6282123061CCC  the send answers responseCode CCC (e.g. 1511 → 511)',
    '  +6282123062CCC  sent; every validation answers responseCode CCC',
    '  +6282123069SSS  the send answers HTTP SSS with an HTML error page',
    '  +6282123068SSS  sent; validations answer HTTP SSS with an HTML error page',
    '',
    'Verihubs magic msisdns (the "msisdn" of a send or verify body):',
    ...verihubs,
  ].join('\n');
}

/** The text of `--help`, and of every refusal of the arguments. */
const USAGE = `Usage: verifynow-sandbox [options]

Runs a local stand-in for the VerifyNow API (token, send and validate, v3 and v2
paths) and for Verihubs' OTP API (SMS and WhatsApp send and verify, under /v2,
also with the /sandbox suffix), on one port. GET /sandbox/outbox lists the codes
of both.

Options:
  --port <n>          port to listen on (default 4010; 0 picks a free one)
  --host <address>    address to listen on (default 127.0.0.1); requests must
                      still name a loopback Host (localhost, 127.x.x.x, [::1])
  --provider <name>   the routes to serve: verifynow, verihubs or both
                      (default both); the outbox is always served
  --code <digits>     fixed code for every verification, of both providers
                      (default: random; also VERIFYNOW_SANDBOX_CODE); a Verihubs
                      send that brings its own "otp" keeps it
  --customer-id <id>  VerifyNow: accept only this customer id (default: any)
  --password <text>   VerifyNow: accept only this password (default: any)
  --token-ttl <s>     VerifyNow: token lifetime in seconds (default 3600)
  --code-ttl <s>      VerifyNow: code lifetime in seconds (default 60)
  --verihubs-app-id <id>
                      Verihubs: accept only this App-ID header (default: any)
  --verihubs-api-key <key>
                      Verihubs: accept only this API-Key header (default: any)
  -h, --help          show this text

${magicNumbers()}`;

/** The options that take a value. */
type Flag =
  | 'port'
  | 'host'
  | 'provider'
  | 'code'
  | 'customer-id'
  | 'password'
  | 'token-ttl'
  | 'code-ttl'
  | 'verihubs-app-id'
  | 'verihubs-api-key';
/** {@link Flag}'s values, to look arguments up. */
const FLAGS = new Set<string>([
  'port',
  'host',
  'provider',
  'code',
  'customer-id',
  'password',
  'token-ttl',
  'code-ttl',
  'verihubs-app-id',
  'verihubs-api-key',
] satisfies Flag[]);

/** Prints `message` and the usage on stderr, and exits with code 2. */
function fail(message: string): never {
  process.stderr.write(`verifynow-sandbox: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

/** The options given, as text; `--help` prints the usage and exits, anything unknown fails. */
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

/** An option as an integer from `min` to `max`; `undefined` when not given; anything else fails. */
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

/** A value that must not be empty when given. */
function nonEmpty(name: Flag, text: string | undefined): string | undefined {
  if (text === '') {
    fail(`--${name} must not be empty`);
  }
  return text;
}

/** The line printed for each code "sent", the number masked. */
function describeMessage(message: VerifyNowSandboxMessage | VerihubsSandboxMessage): string {
  const phone = maskPhoneNumber(message.phoneNumber);
  return message.provider === 'verihubs'
    ? `code ${message.code} for Verihubs session ${message.sessionId} (${phone}, ${message.channel})`
    : `code ${message.code} for verification ${message.verificationId} (${phone}, ${message.flowType})`;
}

/** Starts the sandbox the options describe, prints each code it sends, stops on SIGINT or SIGTERM. */
async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const code = args.code ?? process.env.VERIFYNOW_SANDBOX_CODE;
  if (code !== undefined && !/^\d{4,8}$/.test(code)) {
    fail('--code (or VERIFYNOW_SANDBOX_CODE) must be 4 to 8 digits');
  }
  const provider = args.provider ?? 'both';
  if (!Object.hasOwn(PROVIDERS, provider)) {
    fail('--provider must be verifynow, verihubs or both');
  }
  const providers = PROVIDERS[provider as keyof typeof PROVIDERS];
  const options: VerifyNowSandboxOptions & { port?: number; host?: string } = {
    port: integer('port', args.port, 0, 65_535) ?? 4010,
    host: args.host ?? '127.0.0.1',
    providers,
    code,
    customerId: args['customer-id'],
    password: args.password,
    tokenTtlSeconds: integer('token-ttl', args['token-ttl'], 1, 31_536_000),
    codeTtlSeconds: integer('code-ttl', args['code-ttl'], 1, 86_400),
    verihubs: {
      appId: nonEmpty('verihubs-app-id', args['verihubs-app-id']),
      apiKey: nonEmpty('verihubs-api-key', args['verihubs-api-key']),
    },
  };
  const sandbox = await VerifyNowSandbox.start(options);
  sandbox.onAnyMessage((message) => process.stdout.write(`${describeMessage(message)}\n`));
  const serving = providers.map((name) => NAMES[name]).join(', ');
  process.stdout.write(`VerifyNow sandbox listening on ${sandbox.url} (serving ${serving})\n`);
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
