import { Logger } from '@nestjs/common';
import { VerifyNowException, VerifyNowOperation } from '../errors/verifynow.exception';
import { elapsedMs } from '../events/event-facts.util';

/**
 * One structured line per send or validation: `log` when it went through; for a
 * failure `warn` when the service itself is in trouble (5xx), `debug` for answers
 * about the user's input, `error` for anything unexpected. Fields are masked by
 * the caller; unexpected errors are named, never printed.
 *
 * @internal
 */
export class OtpCallLog {
  private readonly logger = new Logger('VerifyNowService');

  success(operation: VerifyNowOperation, fields: Record<string, unknown>, started: number): void {
    this.logger.log({
      event: `verifynow.${operation}`,
      ...fields,
      latencyMs: elapsedMs(started),
    });
  }

  /** A send that goes to the next provider: `from` certainly sent nothing. */
  failover(from: string, to: string, phone: string, error: unknown): void {
    this.logger.warn({
      event: 'verifynow.failover',
      from,
      to,
      phone,
      error: error instanceof VerifyNowException ? error.codeName : 'unknown',
      ...(error instanceof VerifyNowException ? { detail: error.message } : {}),
    });
  }

  failure(
    operation: VerifyNowOperation,
    fields: Record<string, string>,
    error: unknown,
    started: number,
  ): void {
    const line = {
      event: `verifynow.${operation}`,
      outcome: 'failed',
      ...fields,
      latencyMs: elapsedMs(started),
      ...(error instanceof VerifyNowException
        ? {
            error: error.codeName,
            responseCode: error.responseCode,
            upstreamStatus: error.upstreamStatus,
            detail: error.message,
          }
        : { error: error instanceof Error ? error.name : typeof error }),
    };
    if (!(error instanceof VerifyNowException)) {
      this.logger.error(line);
    } else if (error.getStatus() >= 500) {
      this.logger.warn(line);
    } else {
      this.logger.debug(line);
    }
  }
}
