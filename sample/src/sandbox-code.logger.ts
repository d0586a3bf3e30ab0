import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { VerifyNowSandbox, maskPhoneNumber } from 'nestjs-verifynow';

/**
 * In sandbox mode only, logs each code the sandbox "sends", standing in for the
 * SMS you would read on a phone. With real credentials the sandbox is `null` and
 * nothing is logged: codes never reach logs in production.
 */
@Injectable()
export class SandboxCodeLogger implements OnModuleInit {
  private readonly logger = new Logger('SandboxSms');

  constructor(@Inject(VerifyNowSandbox) private readonly sandbox: VerifyNowSandbox | null) {}

  onModuleInit(): void {
    this.sandbox?.onMessage((message) => {
      this.logger.log(
        `code ${message.code} sent to ${maskPhoneNumber(message.phoneNumber)} (verificationId ${message.verificationId})`,
      );
    });
  }
}
