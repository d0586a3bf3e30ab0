import { VerifyNowUnavailableException } from '../http/upstream.exceptions';
import type { VerifyNowOperation } from '../errors/verifynow.exception';

/**
 * The moment one service call must be over: `sendOtp()` or `validateOtp()` gets
 * `timeoutMs` in all, token acquisition, its retries, the rate cap's queue and
 * a refresh after a 401 included. Each step takes what is left, never more.
 *
 * @internal
 */
export class Deadline {
  private constructor(
    private readonly at: number,
    /** The budget it was made with, for messages. */
    readonly budgetMs: number,
  ) {}

  /** A deadline `ms` from now. */
  static after(ms: number): Deadline {
    return new Deadline(performance.now() + ms, ms);
  }

  /** Milliseconds left, never negative. */
  remainingMs(): number {
    return Math.max(0, Math.floor(this.at - performance.now()));
  }

  /** The error a call that ran out of time ends with. */
  exceeded(operation: VerifyNowOperation): VerifyNowUnavailableException {
    return new VerifyNowUnavailableException(`no answer within ${this.budgetMs} ms`, {
      operation,
    });
  }

  /**
   * Settles like `work`, or rejects with {@link exceeded} once the deadline
   * passes, whichever comes first. The timer never outlives the race.
   */
  race<T>(work: Promise<T>, operation: VerifyNowOperation): Promise<T> {
    const left = this.remainingMs();
    if (left <= 0) {
      work.catch(() => undefined);
      return Promise.reject(this.exceeded(operation));
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.exceeded(operation)), left);
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }
}
