import { Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { RequireOtp, RequireOtpGuard } from '../../lib';
import type { Answer, FixtureApp, Proof } from './step-up-fixtures';

/**
 * Sensitive routes, each with a purpose of its own, for an application whose
 * authentication signs requests in from `x-phone` (`AuthModule` of
 * step-up-fixtures) and whose `guard.resolvePhoneNumber` reads `request.user`.
 */
@Controller('account')
export class GuardedAccountController {
  @RequireOtp({ purpose: 'transfer' })
  @Post('transfer')
  @HttpCode(200)
  transfer() {
    return { status: 'transferred' };
  }

  @RequireOtp({ purpose: 'password-change', autoSend: false })
  @Post('password')
  @HttpCode(200)
  changePassword() {
    return { status: 'changed' };
  }

  /** Guarded twice: by the guard the decorator applies, and by @UseGuards(). */
  @UseGuards(RequireOtpGuard)
  @RequireOtp({ purpose: 'close-account' })
  @Post('close')
  @HttpCode(200)
  close() {
    return { status: 'closed' };
  }

  @RequireOtp({ purpose: 'wire', maxAgeSeconds: 60 })
  @Post('wire')
  @HttpCode(200)
  wire() {
    return { status: 'wired' };
  }
}

/** The HTTP calls of such an application: the sample's OTP routes and the guarded ones. */
export interface OtpClient {
  /** `POST /otp/send`. */
  send(phoneNumber: string): Promise<Answer>;
  /** `POST /otp/verify`. */
  verify(verificationId: string, code: string): Promise<Answer>;
  /** `POST <path>` signed in as `phone`, with a proof when given. */
  guarded(path: string, phone: string, proof?: Proof): Promise<Answer>;
}

export function otpClient(app: FixtureApp): OtpClient {
  return {
    send: (phoneNumber) => app.call('/otp/send', { body: { phoneNumber } }),
    verify: (verificationId, code) => app.call('/otp/verify', { body: { verificationId, code } }),
    guarded: (path, phone, proof) => app.call(path, { phone, proof }),
  };
}
