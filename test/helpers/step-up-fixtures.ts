import {
  CanActivate,
  ExecutionContext,
  INestApplication,
  Injectable,
  Module,
  ModuleMetadata,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { VerifyNowModuleOptions, VerifyNowSandbox } from '../../lib';
import { VERIFYNOW_CLOCK, VerifyNowClock } from '../../lib/verifynow.internal-constants';
import { CapturingLogger } from './capturing-logger';
import { RawAnswer, rawRequest } from './http';
import { Platform } from './otp-app';
import { redisUrl, uniquePrefix } from './redis';

export const CUSTOMER_ID = 'C-STEP-UP-BINDING';
export const PASSWORD = 'step-up-binding-password';

export type StoreKind = 'memory' | 'redis';
/** Every store on every platform, for the rules that rest on the ledger. */
export const COMBOS: [StoreKind, Platform][] = [
  ['memory', 'express'],
  ['redis', 'express'],
  ['memory', 'fastify'],
  ['redis', 'fastify'],
];

/** The request as these fixtures' authentication leaves it. */
export interface SignedInRequest {
  headers: Record<string, string | string[] | undefined>;
  user?: { phoneNumber: string };
}

/**
 * The fixtures' authentication: a request with an `x-phone` header is signed in
 * as the user with that phone (`request.user.phoneNumber`); any other passes anonymous.
 */
@Injectable()
export class HeaderAuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<SignedInRequest>();
    const phone = request.headers['x-phone'];
    if (typeof phone === 'string' && phone.length > 0) {
      request.user = { phoneNumber: phone };
    }
    return true;
  }
}

/** Authentication registered globally, from a module of its own. */
@Module({ providers: [{ provide: APP_GUARD, useClass: HeaderAuthGuard }] })
export class AuthModule {}

/** `guard.resolvePhoneNumber` of every fixture: the signed-in user's phone, as auth set it. */
export const signedInPhone = (request: SignedInRequest): string | undefined =>
  request.user?.phoneNumber;

/** A clock that follows real time, plus an offset the test moves. */
export class SkewedClock implements VerifyNowClock {
  offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
}

/** A sandbox on loopback whose clock a test can move forward (to expire pending codes). */
export async function startSandbox(): Promise<{ sandbox: VerifyNowSandbox; clock: SkewedClock }> {
  const clock = new SkewedClock();
  const sandbox = await VerifyNowSandbox.start({
    customerId: CUSTOMER_ID,
    password: PASSWORD,
    now: () => clock.now(),
  });
  return { sandbox, clock };
}

/**
 * The module in live mode against the sandbox, with generous send limits and the
 * signed-in user's phone as the subject; `prefix` shares one Redis ledger between instances.
 */
export function moduleOptions(
  sandbox: VerifyNowSandbox,
  kind: StoreKind,
  prefix: string = uniquePrefix(),
  extra: Partial<VerifyNowModuleOptions> = {},
): VerifyNowModuleOptions {
  return {
    customerId: CUSTOMER_ID,
    password: PASSWORD,
    baseUrl: sandbox.url,
    store: kind === 'redis' ? { redis: { url: redisUrl(), keyPrefix: prefix } } : undefined,
    limits: {
      perClientIp: { limit: 10_000, ttlSeconds: 3600 },
      perPhoneNumber: { limit: 10_000, ttlSeconds: 600 },
    },
    ...extra,
    guard: { resolvePhoneNumber: signedInPhone, ...extra.guard },
  };
}

let nextPhone = 0;
/** A distinct, valid Indian mobile number per call: no two tests share a pending code. */
export function newPhone(): string {
  nextPhone += 1;
  return `+91999970${String(nextPhone).padStart(4, '0')}`;
}

/** What a client presents to a guarded route. */
export interface Proof {
  verificationId: string;
  code: string;
}

/** An HTTP answer, read whole. */
export type Answer = RawAnswer;

export interface CallOptions {
  method?: string;
  /** Signs the request in as this phone's user (`x-phone`). */
  phone?: string;
  proof?: Proof;
  /** JSON body; `{ amount: 100 }` when unset. */
  body?: unknown;
  /** More headers; an array value is sent as that many header lines. */
  headers?: Record<string, string | string[]>;
}

/**
 * One request over a fresh loopback connection (node:http, so that a test can
 * set `Host` and repeat a header line, which `fetch` does not allow).
 */
export function call(baseUrl: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const url = new URL(path, baseUrl);
  const payload = JSON.stringify(options.body === undefined ? { amount: 100 } : options.body);
  const headers: Record<string, string | string[]> = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(payload)),
    ...(options.phone === undefined ? {} : { 'x-phone': options.phone }),
    ...(options.proof === undefined
      ? {}
      : {
          'x-otp-verification-id': options.proof.verificationId,
          'x-otp-code': options.proof.code,
        }),
    ...options.headers,
  };
  return rawRequest(url.toString(), { method: options.method ?? 'POST', headers, body: payload });
}

/** A running fixture application. */
export interface FixtureApp {
  app: INestApplication;
  url: string;
  call(path: string, options?: CallOptions): Promise<Answer>;
  close(): Promise<void>;
}

export interface BootOptions {
  platform: Platform;
  /**
   * The logger of every app of a spec file. Nest's static `Logger` writes to the
   * logger of the application created last, so the apps of one file share one.
   */
  logger: CapturingLogger;
  /** Runs on the application before it listens (global prefix, versioning). */
  configure?: (app: INestApplication) => void;
  clock?: VerifyNowClock;
}

/** Compiles a root module of this metadata, creates the app on a platform and listens on loopback. */
export async function boot(metadata: ModuleMetadata, options: BootOptions): Promise<FixtureApp> {
  let builder = Test.createTestingModule(metadata).setLogger(options.logger);
  if (options.clock) {
    builder = builder.overrideProvider(VERIFYNOW_CLOCK).useValue(options.clock);
  }
  const moduleRef = await builder.compile();
  const app =
    options.platform === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: options.logger })
      : moduleRef.createNestApplication({ logger: options.logger });
  options.configure?.(app);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    url,
    call: (path, callOptions) => call(url, path, callOptions),
    close: () => app.close(),
  };
}

/** The code the sandbox "sent" for a verification. */
export function codeOf(sandbox: VerifyNowSandbox, phone: string, verificationId: string): string {
  const code = sandbox
    .outbox(phone)
    .find((message) => message.verificationId === verificationId)?.code;
  if (code === undefined) {
    throw new Error(`the sandbox sent no code for verification ${verificationId}`);
  }
  return code;
}

/**
 * Calls a guarded route signed in without proof, expects `401 OTP_REQUIRED` with a
 * verification, and returns the proof the user would type.
 */
export async function challenge(
  app: FixtureApp,
  sandbox: VerifyNowSandbox,
  path: string,
  phone: string,
  headers: Record<string, string> = {},
): Promise<Proof> {
  const answer = await app.call(path, { phone, headers });
  expect([answer.status, answer.body.error]).toEqual([401, 'OTP_REQUIRED']);
  expect(answer.body.verificationId).toMatch(/^\d+$/);
  const verificationId = answer.body.verificationId as string;
  return { verificationId, code: codeOf(sandbox, phone, verificationId) };
}

/** A code of the same length that is not this one. */
export function wrongCode(code: string): string {
  return code.startsWith('0') ? `1${code.slice(1)}` : `0${code.slice(1)}`;
}

/** Upstream validations the sandbox served so far. */
export function validations(sandbox: VerifyNowSandbox): number {
  return sandbox.stats().validate;
}

/** Upstream sends the sandbox served so far (pending answers included). */
export function sends(sandbox: VerifyNowSandbox): number {
  return sandbox.stats().send;
}

/** Counts handler runs per route and signed-in phone, so that a test sees whether an action ran. */
@Injectable()
export class HandlerRuns {
  private readonly runs = new Map<string, number>();

  record(route: string, request: SignedInRequest): void {
    const key = `${route} ${request.user?.phoneNumber ?? '-'}`;
    this.runs.set(key, (this.runs.get(key) ?? 0) + 1);
  }

  count(route: string, phone: string | undefined): number {
    return this.runs.get(`${route} ${phone ?? '-'}`) ?? 0;
  }

  total(route: string): number {
    let sum = 0;
    for (const [key, runs] of this.runs) {
      if (key.startsWith(`${route} `)) sum += runs;
    }
    return sum;
  }
}
