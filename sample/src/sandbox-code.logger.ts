import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { VerifyNowSandbox, maskPhoneNumber } from 'nestjs-verifynow';

/**
 * In sandbox mode only, logs each code the sandbox "sends" (as VerifyNow or as
 * Verihubs), standing in for the SMS you would read on a phone. With real credentials the sandbox is `null` and
 * nothing is logged: codes never reach logs in production.
 */
@Injectable()
export class SandboxCodeLogger implements OnModuleInit {
  private readonly logger = new Logger('SandboxSms');

  constructor(@Inject(VerifyNowSandbox) private readonly sandbox: VerifyNowSandbox | null) {}

  onModuleInit(): void {
    this.sandbox?.onAnyMessage((message) => {
      // Verihubs calls the verification's id its session id.
      const [provider, verificationId] =
        message.provider === 'verihubs'
          ? ['Verihubs', message.sessionId]
          : ['VerifyNow', message.verificationId];
      this.logger.log(
        `code ${message.code} sent to ${maskPhoneNumber(message.phoneNumber)} by ${provider} (verificationId ${verificationId})`,
      );
    });
  }
}
