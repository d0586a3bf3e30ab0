import { VerifyNowOverloadedException } from '../http/upstream.exceptions';

/**
 * Where a rate cap counts: across every instance that shares the Redis store
 * (`'fleet'`), or in this process alone (`'instance'`).
 *
 * @internal
 */
export type RateCapScope = 'fleet' | 'instance';

/** What a rate cap says of itself, for health. @internal */
export interface RateCapDescription {
  scope: RateCapScope;
  /** Most request starts in any one-second window. */
  perSecond: number;
  /** Requests waiting for a slot now, in this instance. */
  waiting: number;
}

/**
 * An upstream's outbound rate cap (`maxRequestsPerSecond`): step 2 of the
 * upstream policy. Callers over the rate wait, first come first served, in a
 * bounded queue of this instance; `close()` fails them when the application
 * stops. `OutboundRateLimiter` counts in this process, `FleetRateLimiter` in
 * Redis for every instance alike.
 *
 * @internal
 */
export interface RateCap {
  /** Requests waiting now, in this instance. */
  readonly waiting: number;

  /**
   * Resolves when the caller may start a request.
   *
   * @throws VerifyNowOverloadedException when the queue is full, the wait exceeds
   * `maxWaitMs`, or the application is stopping.
   * @throws VerifyNowUnavailableException when a shared cap could not be reached.
   */
  acquire(maxWaitMs: number): Promise<void>;

  /** Fails every waiting caller and stops the timers; later calls fail at once. */
  close(): void;

  /** The cap's scope, rate and queue, for health. */
  describe(): RateCapDescription;

  /** Whether the place it counts in answers (a shared cap's Redis); absent: always. */
  check?(): Promise<'reachable' | 'unreachable'>;
}

/** The refusals every rate cap gives, worded alike whichever counts. @internal */
export const rateCapRefusal = {
  shuttingDown: (): Error => new VerifyNowOverloadedException('the application is shutting down'),
  queueFull: (maxQueued: number): Error =>
    new VerifyNowOverloadedException(`${maxQueued} requests already wait for the rate cap`),
  tooLong: (maxWaitMs: number): Error =>
    new VerifyNowOverloadedException(`no slot under the rate cap within ${maxWaitMs} ms`),
};
