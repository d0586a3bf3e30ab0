import { Controller, HttpCode, INestApplication, Post, UseGuards } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import {
  RequireOtp,
  RequireOtpGuard,
  TooManyOtpRequestsException,
  VerifyNowInvalidInputException,
  VerifyNowModule,
  VerifyNowModuleOptions,
  VerifyNowSandbox,
} from '../lib';
import { OTP_HTTP_PROVIDERS } from '../sample/src/app.module';
import { OtpController } from '../sample/src/otp.controller';
import { CapturingLogger } from './helpers/capturing-logger';
import { HttpAnswer, request } from './helpers/http';
import { PLATFORMS, Platform } from './helpers/otp-app';
import { freshPhone, resolveTestPhone } from './helpers/step-up-app';
import { VerifyNowContext, createVerifyNow } from './helpers/verifynow-context';
import { redisUrl, uniquePrefix } from './helpers/redis';

/** Two sends per client, however its address is written; no per-number limit. */
const LIMITS: VerifyNowModuleOptions['limits'] = {
  perClientIp: { limit: 2, ttlSeconds: 3600 },
  perPhoneNumber: false,
};

/** One client over IPv4, written three ways. */
const IPV4_CLIENT = ['192.0.2.1', '::ffff:192.0.2.1', '::FFFF:c000:0201'];
/** Three addresses of one IPv6 /64. */
const IPV6_SUBNET = ['2001:DB8::1', '2001:db8::2', '2001:db8:0:0:ffff::9'];
/** An address of the neighbouring /64. */
const OTHER_SUBNET = '2001:db8:0:1::1';

describe.each([
  ['in-memory counters', () => undefined],
  ['Redis counters', () => ({ redis: { url: redisUrl(), keyPrefix: uniquePrefix() } })],
])(
  'the per-IP send limit keys on the normalised address (module and embedded sandbox, %s)',
  (_kind, store) => {
    let verifyNow: VerifyNowContext;
    let sandbox: VerifyNowSandbox;

    beforeAll(async () => {
      verifyNow = await createVerifyNow({ sandbox: true, store: store(), limits: LIMITS });
      sandbox = verifyNow.sandbox!;
    });
    afterAll(() => verifyNow.close());

    const send = (clientIp: string) =>
      verifyNow.service.sendOtp({ phoneNumber: freshPhone(), clientIp });

    /** Sends from the first addresses, then expects the last one refused without an upstream call. */
    async function expectSharedQuota(addresses: string[]): Promise<void> {
      const allowed = addresses.slice(0, -1);
      for (const clientIp of allowed) {
        await expect(send(clientIp)).resolves.toMatchObject({ alreadyPending: false });
      }
      const before = sandbox.stats().send;
      const error = (await send(addresses.at(-1)!).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(TooManyOtpRequestsException);
      const refused = error as TooManyOtpRequestsException;
      expect(refused.limit).toBe('clientIp');
      expect(refused.getStatus()).toBe(429);
      expect(refused.getResponse().error).toBe('TOO_MANY_OTP_REQUESTS');
      expect(refused.retryAfterSeconds).toBeGreaterThan(0);
      expect(sandbox.stats().send).toBe(before);
    }

    it('counts 192.0.2.1, ::ffff:192.0.2.1 and ::FFFF:c000:0201 as one client', async () => {
      await expectSharedQuota(IPV4_CLIENT);
    });

    it('counts every address of one IPv6 /64 as one client, whatever its case', async () => {
      await expectSharedQuota(IPV6_SUBNET);
    });

    it('gives the next /64 a quota of its own', async () => {
      await expect(send(OTHER_SUBNET)).resolves.toBeDefined();
      await expect(send('2001:db8:0:1:ffff:ffff:ffff:ffff')).resolves.toBeDefined();
      await expect(send('2001:DB8:0:1::abcd')).rejects.toBeInstanceOf(TooManyOtpRequestsException);
    });

    it('ignores a zone id: fe80::1%eth0 and fe80::2%eth1 share the link-local /64', async () => {
      await expectSharedQuota(['fe80::1%eth0', 'fe80::2%eth1', 'fe80::3']);
    });

    it.each(['zzzz', '1.2.3', '1.2.3.4.5', '127.1', '0x7f.0.0.1', '::ffff:0x7f.1.1.1', '[::1]'])(
      'refuses clientIp %j with 400 INVALID_INPUT before any upstream call',
      async (clientIp) => {
        const before = sandbox.stats().send;
        const error = (await send(clientIp).catch(
          (e: unknown) => e,
        )) as VerifyNowInvalidInputException;
        expect(error).toBeInstanceOf(VerifyNowInvalidInputException);
        expect(error.getStatus()).toBe(400);
        expect(error.getResponse()).toMatchObject({
          statusCode: 400,
          error: 'INVALID_INPUT',
          message: expect.stringContaining('clientIp must be an IPv4 or IPv6 address'),
        });
        expect(sandbox.stats().send).toBe(before);
      },
    );

    it('refuses an address too long to be one without repeating it', async () => {
      const clientIp = `2001:db8::${'1'.repeat(60)}`;
      const error = (await send(clientIp).catch(
        (e: unknown) => e,
      )) as VerifyNowInvalidInputException;
      expect(error).toBeInstanceOf(VerifyNowInvalidInputException);
      expect(JSON.stringify(error.getResponse())).not.toContain('1111');
      expect(error.message).not.toContain('1111');
    });
  },
);

/** A route behind the step-up guard: without a proof, the guard sends a code. */
@Controller('account')
class GuardedController {
  @UseGuards(RequireOtpGuard)
  @RequireOtp()
  @Post('transfer')
  @HttpCode(200)
  transfer() {
    return { status: 'transferred' };
  }
}

interface ProxiedApp {
  app: INestApplication;
  sandbox: VerifyNowSandbox;
  /** `POST /otp/send` as a proxy forwarding for `clientIp` would. */
  sendOtp(clientIp: string): Promise<HttpAnswer>;
  /** `POST /account/transfer` without a proof, forwarded for `clientIp`. */
  transfer(clientIp: string): Promise<HttpAnswer>;
  close(): Promise<void>;
}

/**
 * The sample's `/otp/send` route and a guarded route on the embedded sandbox,
 * behind a trusted proxy: the client address comes from `X-Forwarded-For`.
 */
async function startProxiedApp(platform: Platform): Promise<ProxiedApp> {
  const logger = new CapturingLogger();
  const moduleRef = await Test.createTestingModule({
    imports: [
      VerifyNowModule.forRoot({
        sandbox: true,
        limits: LIMITS,
        guard: { resolvePhoneNumber: resolveTestPhone },
      }),
    ],
    controllers: [OtpController, GuardedController],
    providers: OTP_HTTP_PROVIDERS,
  })
    .setLogger(logger)
    .compile();
  let app: INestApplication;
  if (platform === 'fastify') {
    app = moduleRef.createNestApplication(new FastifyAdapter({ trustProxy: true }), { logger });
  } else {
    const express = moduleRef.createNestApplication<NestExpressApplication>({ logger });
    express.set('trust proxy', true);
    app = express;
  }
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const post = (path: string, headers: Record<string, string>, body: unknown) =>
    request(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  return {
    app,
    sandbox: app.get(VerifyNowSandbox),
    sendOtp: (clientIp) =>
      post('/otp/send', { 'x-forwarded-for': clientIp }, { phoneNumber: freshPhone() }),
    transfer: (clientIp) =>
      post(
        '/account/transfer',
        { 'x-forwarded-for': clientIp, 'x-phone': freshPhone() },
        { amount: 100 },
      ),
    close: () => app.close(),
  };
}

describe.each(PLATFORMS)(
  'the per-IP send limit over HTTP behind a trusted proxy (%s)',
  (platform) => {
    let proxied: ProxiedApp;

    beforeAll(async () => {
      proxied = await startProxiedApp(platform);
    });
    afterAll(() => proxied.close());

    function expectLimited(answer: HttpAnswer): void {
      expect([answer.status, answer.body.error]).toEqual([429, 'TOO_MANY_OTP_REQUESTS']);
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    }

    it('counts the forwarded 192.0.2.1, ::ffff:192.0.2.1 and ::FFFF:c000:0201 as one client', async () => {
      const [first, second, third] = IPV4_CLIENT;
      expect((await proxied.sendOtp(first)).status).toBe(200);
      expect((await proxied.sendOtp(second)).status).toBe(200);
      const before = proxied.sandbox.stats().send;
      expectLimited(await proxied.sendOtp(third));
      expect(proxied.sandbox.stats().send).toBe(before);
    });

    it('counts one IPv6 /64 as one client and the next /64 apart', async () => {
      const [first, second, third] = IPV6_SUBNET;
      expect((await proxied.sendOtp(first)).status).toBe(200);
      expect((await proxied.sendOtp(second)).status).toBe(200);
      expectLimited(await proxied.sendOtp(third));
      expect((await proxied.sendOtp(OTHER_SUBNET)).status).toBe(200);
    });

    it('counts the codes the step-up guard sends on the same normalised address', async () => {
      const first = await proxied.transfer('198.51.100.7');
      expect([first.status, first.body.error]).toEqual([401, 'OTP_REQUIRED']);
      expect(first.body.verificationId).toEqual(expect.any(String));
      expect((await proxied.sendOtp('::ffff:198.51.100.7')).status).toBe(200);
      expectLimited(await proxied.transfer('::FFFF:C633:6407'));
      expectLimited(await proxied.sendOtp('198.51.100.7'));
    });

    it('answers 400 INVALID_INPUT for a forwarded address that is not an IP address', async () => {
      const before = proxied.sandbox.stats().send;
      for (const answer of [await proxied.sendOtp('zzzz'), await proxied.transfer('zzzz')]) {
        expect(answer.status).toBe(400);
        expect(answer.body).toMatchObject({
          statusCode: 400,
          error: 'INVALID_INPUT',
          message: expect.stringContaining('clientIp must be an IPv4 or IPv6 address'),
        });
      }
      expect(proxied.sandbox.stats().send).toBe(before);
    });
  },
);
