import { Module, Provider, ValidationPipe } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { VerifyNowExceptionFilter, VerifyNowModule, verifyNowConfig } from 'nestjs-verifynow';
import { OtpController } from './otp.controller';
import { SandboxCodeLogger } from './sandbox-code.logger';

/** What the OTP routes need around them: the error filter and strict body validation. */
export const OTP_HTTP_PROVIDERS: Provider[] = [
  { provide: APP_FILTER, useClass: VerifyNowExceptionFilter },
  {
    provide: APP_PIPE,
    useValue: new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: true }),
  },
];

/**
 * Configured entirely from the environment (and a `.env` file, if any): with no
 * `VERIFYNOW_*` credentials it runs against the embedded sandbox.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    VerifyNowModule.forRootAsync(verifyNowConfig.asProvider()),
  ],
  controllers: [OtpController],
  providers: [SandboxCodeLogger, ...OTP_HTTP_PROVIDERS],
})
export class AppModule {}
