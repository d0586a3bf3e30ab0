/**
 * The guard benchmark's application, run as a child process: the sample's
 * `AccountController` (`POST /account/transfer`, behind `@RequireOtp()`) and,
 * beside it, the same action calling `validateOtp` directly with no guard
 * (`POST /direct/transfer`, its codes sent through `POST /direct/send`), under the
 * sample's global guards, pipe and filter.
 */
import 'reflect-metadata';
import {
  Body,
  Controller,
  Headers,
  HttpCode,
  HttpStatus,
  Module,
  Post,
  Type,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { NestFactory } from '@nestjs/core';
import { VerifyNowModule, VerifyNowService } from 'nestjs-verifynow';
import { join } from 'node:path';

// The sample as built by `npm run build:sample`: the route under test is the sample's own.
const sampleDir = join(__dirname, '..', '..', 'sample', 'dist');
/* eslint-disable @typescript-eslint/no-require-imports */
const { AccountController, TransferDto } = require(join(sampleDir, 'account.controller')) as {
  AccountController: Type;
  TransferDto: Type;
};
const { OTP_HTTP_PROVIDERS } = require(join(sampleDir, 'app.module')) as { OTP_HTTP_PROVIDERS: [] };
const { DemoUserGuard } = require(join(sampleDir, 'demo-user.guard')) as { DemoUserGuard: Type };
/* eslint-enable @typescript-eslint/no-require-imports */

interface Transfer {
  amount: number;
  to: string;
}

@Controller('direct')
class DirectController {
  constructor(private readonly verifyNow: VerifyNowService) {}

  /** Codes for the direct route, sent as an application's own send endpoint would. */
  @Post('send')
  @HttpCode(HttpStatus.OK)
  async send() {
    const { verificationId } = await this.verifyNow.sendOtp({ phoneNumber: '+919999900001' });
    return { verificationId };
  }

  /** The same action, proving the code by calling `validateOtp` itself. */
  @Post('transfer')
  @HttpCode(HttpStatus.OK)
  async transfer(
    @Body() body: Transfer,
    @Headers('x-otp-verification-id') verificationId: string,
    @Headers('x-otp-code') code: string,
  ) {
    await this.verifyNow.validateOtp({ verificationId, code });
    return { status: 'transferred', amount: body.amount, to: body.to, verificationId };
  }
}
// The body is validated as the sample validates it.
Reflect.defineMetadata(
  'design:paramtypes',
  [TransferDto, String, String],
  DirectController.prototype,
  'transfer',
);

async function main(): Promise<void> {
  const upstream = process.argv[2];
  @Module({
    imports: [
      VerifyNowModule.forRoot({
        customerId: 'C-BENCH',
        password: 'bench-password',
        baseUrl: upstream,
        maxRequestsPerSecond: 0,
        limits: false,
        guard: {
          resolvePhoneNumber: (request: { user?: { phoneNumber: string } }) =>
            request.user?.phoneNumber,
        },
      }),
    ],
    controllers: [AccountController, DirectController],
    providers: [...OTP_HTTP_PROVIDERS, { provide: APP_GUARD, useClass: DemoUserGuard }],
  })
  class GuardBenchModule {}
  const app = await NestFactory.create(GuardBenchModule, { logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  process.send?.({ url: await app.getUrl() });
  process.on('disconnect', () => void app.close().then(() => process.exit(0)));
}

void main();
