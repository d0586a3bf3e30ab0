import { RateCap, RateCapDescription, rateCapRefusal } from './rate-cap';

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

const WINDOW_MS = 1000;

/**
 * Lets at most `perSecond` requests start in any one-second window. Callers
 * over the rate wait, first come first served, in a queue of at most
 * `maxQueued`; a full queue, or a wait longer than the caller's own bound,
 * fails at once with `VerifyNowOverloadedException`. The upstream limits
 * its callers: waiting here beats being refused there. This process's cap
 * alone: several instances send that many each (`FleetRateLimiter` shares one).
 *
 * @internal
 */
export class OutboundRateLimiter implements RateCap {
  /** Start times of the last `perSecond` requests, as a ring. */
  private readonly starts: number[];
  private next = 0;
  private readonly queue: Waiter[] = [];
  private drainTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly perSecond: number,
    private readonly maxQueued: number,
    private readonly now: () => number = Date.now,
  ) {
    this.starts = new Array<number>(perSecond).fill(-Infinity);
  }

  /** Requests waiting now. */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Resolves when the caller may start a request.
   *
   * @throws VerifyNowOverloadedException when the queue is full or the wait exceeds `maxWaitMs`.
   */
  acquire(maxWaitMs: number): Promise<void> {
    if (this.closed) {
      return Promise.reject(rateCapRefusal.shuttingDown());
    }
    if (this.queue.length === 0 && this.tryStart()) {
      return Promise.resolve();
    }
    if (this.queue.length >= this.maxQueued) {
      return Promise.reject(rateCapRefusal.queueFull(this.maxQueued));
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.remove(waiter);
          reject(rateCapRefusal.tooLong(maxWaitMs));
        }, maxWaitMs),
      };
      this.queue.push(waiter);
      this.scheduleDrain();
    });
  }

  /** Counts in this process only. */
  describe(): RateCapDescription {
    return { scope: 'instance', perSecond: this.perSecond, waiting: this.queue.length };
  }

  /** Fails the waiting callers when the application stops. */
  onApplicationShutdown(): void {
    this.close();
  }

  /** Fails every waiting caller and stops the timers. */
  close(): void {
    this.closed = true;
    clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
    for (const waiter of this.queue.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(rateCapRefusal.shuttingDown());
    }
  }

  /** Takes a slot if the window has one. */
  private tryStart(): boolean {
    const now = this.now();
    if (this.starts[this.next] > now - WINDOW_MS) {
      return false;
    }
    this.starts[this.next] = now;
    this.next = (this.next + 1) % this.perSecond;
    return true;
  }

  private scheduleDrain(): void {
    if (this.drainTimer !== undefined || this.queue.length === 0) {
      return;
    }
    // The oldest start in the ring leaves the window first.
    const wait = Math.max(0, this.starts[this.next] + WINDOW_MS - this.now());
    this.drainTimer = setTimeout(() => {
      this.drainTimer = undefined;
      while (this.queue.length > 0 && this.tryStart()) {
        const waiter = this.queue.shift() as Waiter;
        clearTimeout(waiter.timer);
        waiter.resolve();
      }
      this.scheduleDrain();
    }, wait);
  }

  private remove(waiter: Waiter): void {
    const index = this.queue.indexOf(waiter);
    if (index !== -1) {
      this.queue.splice(index, 1);
    }
  }
}
