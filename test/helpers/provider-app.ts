import {
  Body,
  CanActivate,
  Controller,
  ExecutionContext,
  HttpCode,
  INestApplication,
  Injectable,
  LoggerService,
  Post,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import {
  RequireOtp,
  VerifiedOtp,
  VerifiedOtpProof,
  VerifyNowModule,
  VerifyNowModuleOptions,
  VerifyNowSandbox,
  VerifyNowService,
} from '../../lib';
import { OTP_HTTP_PROVIDERS } from '../../sample/src/app.module';
import { OtpController } from '../../sample/src/otp.controller';
import { RawAnswer, rawRequest } from './http';

/**
 * An HTTP application for the provider specs: the sample's OTP routes, one
 * `@RequireOtp()` route (`POST /account/transfer`) and a sign-in by header
 * (`x-phone`), over loopback.
 */

export interface SignedIn {
  headers: Record<string, string | string[] | undefined>;
  user?: { phoneNumber: string };
}

/** The fixtures' authentication: `x-phone` signs the request in as that phone's user. */
@Injectable()
class HeaderAuth implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<SignedIn>();
    const phone = request.headers['x-phone'];
    if (typeof phone === 'string' && phone.length > 0) {
      request.user = { phoneNumber: phone };
    }
    return true;
  }
}

@Controller('account')
class AccountController {
  @RequireOtp()
  @Post('transfer')
  @HttpCode(200)
  transfer(@Body() body: unknown, @VerifiedOtpProof() proof: VerifiedOtp) {
    return { status: 'transferred', verificationId: proof.verificationId, body };
  }
}

export interface Booted {
  app: INestApplication;
  url: string;
  service: VerifyNowService;
  /** The embedded sandbox (sandbox mode), else the standalone one given. */
  sandbox: VerifyNowSandbox;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<RawAnswer>;
  close(): Promise<void>;
}

/** Generous limits unless a test sets its own. */
export const LIMITS = {
  perPhoneNumber: { limit: 1000, ttlSeconds: 600 },
  perClientIp: { limit: 1000, ttlSeconds: 3600 },
};

export async function bootProviderApp(
  options: VerifyNowModuleOptions,
  logger: LoggerService,
  standalone?: VerifyNowSandbox,
): Promise<Booted> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      VerifyNowModule.forRoot({
        limits: LIMITS,
        ...options,
        guard: {
          resolvePhoneNumber: (request: SignedIn) => request.user?.phoneNumber,
          ...options.guard,
        },
      }),
    ],
    controllers: [OtpController, AccountController],
    providers: [...OTP_HTTP_PROVIDERS, { provide: APP_GUARD, useClass: HeaderAuth }],
  })
    .setLogger(logger)
    .compile();
  const app = moduleRef.createNestApplication({ logger });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const embedded = app.get<VerifyNowSandbox | null>(VerifyNowSandbox);
  const sandbox = standalone ?? embedded;
  if (!sandbox) throw new Error('no sandbox to read codes from');
  return {
    app,
    url,
    service: app.get(VerifyNowService),
    sandbox,
    post: (path, body, headers = {}) => {
      const payload = JSON.stringify(body);
      return rawRequest(`${url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(payload)),
          ...headers,
        },
        body: payload,
      });
    },
    close: () => app.close(),
  };
}
