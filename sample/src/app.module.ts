import { Module, Provider, ValidationPipe } from '@nestjs/common';
import { ConfigModule, ConfigType } from '@nestjs/config';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { VerifyNowExceptionFilter, VerifyNowModule, verifyNowConfig } from 'nestjs-verifynow';
import { AccountController } from './account.controller';
import { DemoRequest, DemoUserGuard } from './demo-user.guard';
import { OtpController } from './otp.controller';
import { SandboxCodeLogger } from './sandbox-code.logger';
import { StepUpAuditListener } from './step-up-audit.listener';

/** What the OTP routes need around them: the error filter and strict body validation. */
export const OTP_HTTP_PROVIDERS: Provider[] = [
  { provide: APP_FILTER, useClass: VerifyNowExceptionFilter },
  {
    provide: APP_PIPE,
    useValue: new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: true }),
  },
];

/**
 * Configured from the environment (and a `.env` file, if any): with no
 * `VERIFYNOW_*` credentials it runs against the embedded sandbox. Step-up codes
 * go to the signed-in user's phone, and every step-up decision is audited.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    // Delivers the module's lifecycle events to @OnEvent() handlers (the audit trail).
    EventEmitterModule.forRoot({ wildcard: true }),
    VerifyNowModule.forRootAsync({
      imports: [ConfigModule.forFeature(verifyNowConfig)],
      inject: [verifyNowConfig.KEY],
      useFactory: (config: ConfigType<typeof verifyNowConfig>) => ({
        ...config,
        guard: { resolvePhoneNumber: (request: DemoRequest) => request.user?.phoneNumber },
      }),
    }),
  ],
  controllers: [OtpController, AccountController],
  providers: [
    SandboxCodeLogger,
    StepUpAuditListener,
    ...OTP_HTTP_PROVIDERS,
    // Authentication, global: it runs before the guard @RequireOtp() applies on its routes.
    { provide: APP_GUARD, useClass: DemoUserGuard },
  ],
})
export class AppModule {}
