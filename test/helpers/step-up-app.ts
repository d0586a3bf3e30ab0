import { Body, Controller, HttpCode, INestApplication, Post, UseGuards } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import {
  RequireOtp,
  RequireOtpGuard,
  VerifiedOtpProof,
  VerifyNowModule,
  VerifyNowModuleOptions,
  VerifyNowService,
} from '../../lib';
import type { VerifiedOtp } from '../../lib';
import { VERIFYNOW_CLOCK, VerifyNowClock } from '../../lib/verifynow.internal-constants';
import { OTP_HTTP_PROVIDERS } from '../../sample/src/app.module';
import { CapturingLogger } from './capturing-logger';
import { HttpAnswer, request, stepUpHeaders } from './http';
import { Platform, listen } from './otp-app';

/** Sensitive routes of a fixture app. */
@Controller('account')
class AccountController {
  @RequireOtp()
  @Post('transfer')
  @HttpCode(200)
  transfer(@Body() body: unknown, @VerifiedOtpProof() proof: VerifiedOtp) {
    return { status: 'transferred', body, proof };
  }

  @RequireOtp({ purpose: 'password-change', autoSend: false })
  @Post('password')
  @HttpCode(200)
  changePassword() {
    return { status: 'changed' };
  }

  /** Guarded twice: globally and here. One proof must still be enough. */
  @UseGuards(RequireOtpGuard)
  @RequireOtp({ purpose: 'close-account' })
  @Post('close')
  @HttpCode(200)
  close() {
    return { status: 'closed' };
  }

  @Post('open')
  @HttpCode(200)
  open() {
    return { status: 'open' };
  }
}

/** Every route of this controller needs a proof. */
@RequireOtp({ purpose: 'vault' })
@Controller('vault')
class VaultController {
  @Post('open')
  @HttpCode(200)
  open() {
    return { status: 'vault open' };
  }
}

/**
 * The signed-in user, for these tests: the phone number in `x-phone` stands in
 * for `request.user.phoneNumber`.
 */
export const resolveTestPhone = (req: { headers: Record<string, unknown> }): string | undefined =>
  typeof req.headers['x-phone'] === 'string' ? req.headers['x-phone'] : undefined;

/** A running app with `@RequireOtp()` routes and the guard registered globally. */
export interface StepUpApp {
  app: INestApplication;
  url: string;
  service: VerifyNowService;
  logger: CapturingLogger;
  /** POSTs to a route as the user with this phone, with an optional proof. */
  call(
    path: string,
    phone: string | undefined,
    proof?: { verificationId: string; code: string },
    extraHeaders?: Record<string, string>,
  ): Promise<HttpAnswer>;
  close(): Promise<void>;
}

export async function startStepUpApp(
  options: VerifyNowModuleOptions,
  extra: { platform?: Platform; clock?: VerifyNowClock } = {},
): Promise<StepUpApp> {
  const logger = new CapturingLogger();
  let builder = Test.createTestingModule({
    imports: [
      VerifyNowModule.forRoot({
        ...options,
        guard: { resolvePhoneNumber: resolveTestPhone, ...options.guard },
      }),
    ],
    controllers: [AccountController, VaultController],
    providers: [...OTP_HTTP_PROVIDERS, { provide: APP_GUARD, useClass: RequireOtpGuard }],
  }).setLogger(logger);
  if (extra.clock) {
    builder = builder.overrideProvider(VERIFYNOW_CLOCK).useValue(extra.clock);
  }
  const { app, url } = await listen(await builder.compile(), extra.platform, logger);
  return {
    app,
    url,
    service: app.get(VerifyNowService),
    logger,
    call: (path, phone, proof, extraHeaders = {}) =>
      request(`${url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...stepUpHeaders(phone, proof),
          ...extraHeaders,
        },
        body: JSON.stringify({ amount: 100 }),
      }),
    close: () => app.close(),
  };
}

/** A distinct, valid Indian mobile number per call, so that tests never share a pending code. */
let nextPhone = 0;
export function freshPhone(): string {
  nextPhone += 1;
  return `+9199998${String(process.pid % 100).padStart(2, '0')}${String(nextPhone).padStart(3, '0')}`;
}
