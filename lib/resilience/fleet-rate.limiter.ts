import { randomUUID } from 'node:crypto';
import { VerifyNowUnavailableException, markNeverSent } from '../http/upstream.exceptions';
import type { OtpProviderName } from '../interfaces/verifynow-module-options.interface';
import { RedisScript, VerifyNowRedisClient } from '../redis/redis.client';
import { RateCap, RateCapDescription, rateCapRefusal } from './rate-cap';

/**
 * The window of the shared cap: one second, plus a margin. Two grants a window
 * apart can reach the upstream closer together than that: each request still
 * has to get Redis's reply back, wait for its event loop, maybe open a
 * connection, and cross the network, and this takes longer for some requests
 * (and instances) than for others. An upstream that counts arrivals over one
 * second would then see N + 1. 50 ms covers that spread in a healthy fleet near
 * its upstream, and costs at most 5% of the rate (N starts per 1.05 s); a longer
 * stall between a grant and its request (a GC pause) can still exceed it.
 */
export const FLEET_WINDOW_MS = 1050;

// Start times in a sorted set, in µs on the Redis server's clock (the instances'
// clocks do not matter). ARGV: window (ms), cap, slots wanted, a prefix unique to
// the call. Answers {granted, ms until the oldest start leaves the window when it
// granted fewer than wanted}. Wanting 0 takes nothing: the health check.
const TAKE_SLOTS = new RedisScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = tonumber(ARGV[1]) * 1000
local wanted = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local granted = math.max(0, math.min(wanted, tonumber(ARGV[2]) - redis.call('ZCARD', KEYS[1])))
for i = 1, granted do
  redis.call('ZADD', KEYS[1], now, ARGV[4] .. i)
end
if granted > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
if granted == wanted then return {granted, 0} end
local oldest = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2] or now)
return {granted, math.max(1, math.ceil((oldest + window - now) / 1000))}
`);

/** What a fleet cap needs besides its Redis client. @internal */
export interface FleetRateSettings {
  /** Counts in `<keyPrefix>{rate:<upstream>}:starts`, beside the ledger's and send limits' keys. */
  upstream: OtpProviderName;
  /** `store.redis.keyPrefix`. @defaultValue `'verifynow:'` */
  keyPrefix?: string;
  perSecond: number;
  maxQueued: number;
  /** How long an answer from Redis may take before the callers it serves fail. */
  answerTimeoutMs: number;
  /** The window; {@link FLEET_WINDOW_MS} unless a test shortens it. */
  windowMs?: number;
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
  maxWaitMs: number;
  /** `Date.now()` by which it must have a slot. */
  deadline: number;
}

/** Redis did not answer in time. */
class NoAnswerFromRedis extends Error {}

const { shuttingDown, tooLong } = rateCapRefusal;
// Nothing was sent: a failover may try the next upstream.
const unreachable = (why: string): Error =>
  markNeverSent(
    new VerifyNowUnavailableException(`the shared rate cap could not be reached: ${why}`),
  );

/**
 * Lets at most `perSecond` requests start in any window of {@link FLEET_WINDOW_MS}
 * across every instance that uses the same Redis and key: the cap is the
 * fleet's, not each instance's. An atomic Lua script counts the starts; callers
 * over the rate wait in this instance's queue, first come first served, as with
 * `OutboundRateLimiter` (a full queue, or a wait longer than the caller's
 * bound, fails at once with `VerifyNowOverloadedException`). One script
 * call at a time asks for a slot for each caller at the head of the queue; when
 * the window is full, one timer retries when its oldest start leaves it.
 *
 * Fails closed: when Redis fails or does not answer, the callers it was to
 * serve fail with {@link VerifyNowUnavailableException}, and nothing is sent.
 *
 * @internal
 */
export class FleetRateLimiter implements RateCap {
  private readonly queue: Waiter[] = [];
  private readonly windowMs: number;
  private readonly key: string;
  /** A script call awaits Redis, since `askedAt`. */
  private asking = false;
  private askedAt = 0;
  /** Until when the last answer said the window is full: the queue bound applies. */
  private fullUntil = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  /** The timeouts of the script calls awaiting Redis, and how to end each. */
  private readonly answers = new Map<NodeJS.Timeout, (error: Error) => void>();
  private closed = false;

  constructor(
    private readonly client: VerifyNowRedisClient,
    private readonly settings: FleetRateSettings,
  ) {
    this.windowMs = settings.windowMs ?? FLEET_WINDOW_MS;
    this.key = `${settings.keyPrefix ?? 'verifynow:'}{rate:${settings.upstream}}:starts`;
  }

  /** Requests waiting now, in this instance. */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Resolves when the caller may start a request.
   *
   * @throws VerifyNowOverloadedException when the queue is full or the wait exceeds `maxWaitMs`.
   * @throws VerifyNowUnavailableException when Redis fails or does not answer.
   */
  acquire(maxWaitMs: number): Promise<void> {
    if (this.closed) {
      return Promise.reject(shuttingDown());
    }
    // Bounded once the window is known full: until then a caller waits only for
    // the script's answer, as one that finds a free slot in the local cap never queues.
    if (Date.now() < this.fullUntil && this.queue.length >= this.settings.maxQueued) {
      return Promise.reject(rateCapRefusal.queueFull(this.settings.maxQueued));
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        maxWaitMs,
        deadline: Date.now() + maxWaitMs,
        timer: setTimeout(() => {
          // Out of time, most of it spent on an unanswered call: Redis, not the rate, is why.
          const unanswered = this.asking ? Date.now() - this.askedAt : 0;
          this.drop(
            waiter,
            unanswered >= maxWaitMs / 2
              ? unreachable(`Redis did not answer within ${unanswered} ms`)
              : tooLong(maxWaitMs),
          );
        }, maxWaitMs),
      };
      this.queue.push(waiter);
      this.pump();
    });
  }

  /** Whether Redis runs the cap's script (it takes no slot), for health. */
  async check(): Promise<'reachable' | 'unreachable'> {
    try {
      await this.ask(0);
      return 'reachable';
    } catch {
      return 'unreachable';
    }
  }

  /** Counts in Redis, for every instance. */
  describe(): RateCapDescription {
    return { scope: 'fleet', perSecond: this.settings.perSecond, waiting: this.queue.length };
  }

  /** Fails the waiting callers when the application stops. */
  onApplicationShutdown(): void {
    this.close();
  }

  /** Fails every waiting caller and stops the timers. */
  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    for (const [timer, end] of this.answers) {
      clearTimeout(timer);
      end(shuttingDown());
    }
    this.answers.clear();
    for (const waiter of this.queue.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(shuttingDown());
    }
  }

  /** Asks for a slot for each caller at the head of the queue, unless a call or a retry is pending. */
  private pump(): void {
    if (this.closed || this.asking || this.retryTimer !== undefined || this.queue.length === 0) {
      return;
    }
    this.asking = true;
    this.askedAt = Date.now();
    const batch = this.queue.slice(0, this.settings.perSecond);
    void this.ask(batch.length).then(
      ([granted, waitMs]) => {
        this.asking = false;
        if (!this.closed) this.grant(granted, waitMs);
      },
      (error: unknown) => {
        this.asking = false;
        if (!this.closed) this.fail(batch, error);
      },
    );
  }

  /**
   * Starts the first `granted` callers (slots are alike: one whose caller left
   * meanwhile goes to the next). When the window is full, nobody starts before
   * `waitMs`: callers who cannot wait that long fail now, the queue is cut to
   * its bound, and one timer asks again then.
   */
  private grant(granted: number, waitMs: number): void {
    for (const waiter of this.queue.splice(0, granted)) {
      clearTimeout(waiter.timer);
      waiter.resolve();
    }
    if (waitMs <= 0 || this.queue.length === 0) {
      this.fullUntil = 0;
      this.pump();
      return;
    }
    this.fullUntil = Date.now() + waitMs;
    for (const waiter of this.queue.filter((w) => w.deadline < this.fullUntil)) {
      this.drop(waiter, tooLong(waiter.maxWaitMs));
    }
    for (const waiter of this.queue.slice(this.settings.maxQueued)) {
      this.drop(waiter, rateCapRefusal.queueFull(this.settings.maxQueued));
    }
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.pump();
    }, waitMs);
  }

  /** Fails the callers the failed call was to serve; the others ask again. */
  private fail(batch: readonly Waiter[], error: unknown): void {
    const why = redisFailure(error, this.settings.answerTimeoutMs);
    for (const waiter of batch.filter((w) => this.queue.includes(w))) {
      this.drop(waiter, unreachable(why));
    }
    this.pump();
  }

  /** One script call, `[granted, waitMs]`, failing after `answerTimeoutMs`. */
  private ask(wanted: number): Promise<[number, number]> {
    const { perSecond, answerTimeoutMs } = this.settings;
    const args = [this.windowMs, perSecond, wanted, `${randomUUID()}:`];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.answers.delete(timer);
        reject(new NoAnswerFromRedis());
      }, answerTimeoutMs);
      this.answers.set(timer, reject);
      TAKE_SLOTS.run(this.client, [this.key], args)
        .then(readAnswer)
        .then(resolve, reject)
        .finally(() => {
          clearTimeout(timer);
          this.answers.delete(timer);
        });
    });
  }

  /** Takes `waiter` out of the queue, if still there, and fails it. */
  private drop(waiter: Waiter, error: Error): void {
    const index = this.queue.indexOf(waiter);
    if (index !== -1) this.queue.splice(index, 1);
    clearTimeout(waiter.timer);
    waiter.reject(error);
  }
}

function readAnswer(answer: unknown): [number, number] {
  const [granted, waitMs] = Array.isArray(answer) ? (answer as unknown[]) : [];
  if (typeof granted !== 'number' || typeof waitMs !== 'number') {
    throw new Error('unexpected answer of the rate cap script');
  }
  return [granted, waitMs];
}

/**
 * Why Redis failed, without its message (a connection error's names the server):
 * Node's code (`ECONNREFUSED`) or Redis's (`READONLY`, `OOM`) says enough.
 */
function redisFailure(error: unknown, answerTimeoutMs: number): string {
  if (error instanceof NoAnswerFromRedis) {
    return `Redis did not answer within ${answerTimeoutMs} ms`;
  }
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const known = [code, message]
    .map((text) => (typeof text === 'string' ? /^[A-Z][A-Z_]+(?=\s|$)/.exec(text)?.[0] : undefined))
    .find(Boolean);
  return known ? `Redis failed (${known})` : 'Redis failed';
}
