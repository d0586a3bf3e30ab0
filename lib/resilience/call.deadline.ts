import { VerifyNowUnavailableException } from '../http/upstream.exceptions';
import type { VerifyNowOperation } from '../errors/verifynow.exception';
import { DeadlineSignal } from './deadline.signal';

/**
 * The moment one service call must be over: `sendOtp()` or `validateOtp()` gets
 * `timeoutMs` in all, token acquisition, its retries, the rate cap's queue and
 * a refresh after a 401 included. Each step takes what is left, never more, and
 * each request made within it ends with its {@link signal}.
 *
 * One timer per deadline, set on first use: it rejects the {@link race} and
 * aborts the {@link signal} together, and {@link end} (the race's own end) stops it.
 *
 * @internal
 */
export class Deadline {
  private aborter: DeadlineSignal | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** What the timer does besides aborting: reject the race. */
  private onExpiry: (() => void) | undefined;

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

  /** This deadline, or an earlier one `ms` from now when that comes first. */
  within(ms: number): Deadline {
    return this.remainingMs() <= ms ? this : Deadline.after(ms);
  }

  /**
   * Aborts when the deadline passes: a request made within the deadline ends
   * then. A deadline that is never raced nor ended aborts it all the same, its
   * timer not keeping the process alive.
   */
  get signal(): DeadlineSignal {
    if (this.aborter === undefined) {
      this.aborter = new DeadlineSignal();
      this.arm();
    }
    return this.aborter;
  }

  /** The error a call that ran out of time ends with. */
  exceeded(operation: VerifyNowOperation): VerifyNowUnavailableException {
    return new VerifyNowUnavailableException(`no answer within ${this.budgetMs} ms`, {
      operation,
    });
  }

  /**
   * Settles like `work`, or rejects with {@link exceeded} once the deadline
   * passes (aborting its {@link signal}), whichever comes first; then
   * {@link end}s the deadline. One race per deadline.
   */
  race<T>(work: Promise<T>, operation: VerifyNowOperation): Promise<T> {
    if (this.remainingMs() <= 0) {
      work.catch(() => undefined);
      return Promise.reject(this.exceeded(operation));
    }
    return new Promise<T>((resolve, reject) => {
      this.onExpiry = () => reject(this.exceeded(operation));
      this.arm();
      // While a race runs, its timer keeps the process alive, as the work does.
      this.timer?.ref();
      work.then(resolve, reject);
    }).finally(() => this.end());
  }

  /** Stops the timer: the call is over, and nothing made within it is aborted later. */
  end(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.onExpiry = undefined;
  }

  private arm(): void {
    if (this.timer !== undefined) {
      return;
    }
    const left = this.at - performance.now();
    if (left <= 0) {
      this.expire();
      return;
    }
    this.timer = setTimeout(() => this.expire(), left);
    this.timer.unref();
  }

  private expire(): void {
    this.timer = undefined;
    try {
      this.aborter?.abort(
        new DOMException(`the deadline of ${this.budgetMs} ms passed`, 'TimeoutError'),
      );
    } finally {
      this.onExpiry?.();
    }
  }
}
