import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { VerihubsSandboxChannel } from './verihubs-sandbox.types';

/**
 * Makes one delivery callback: a `GET` of the URL given. It must not throw; a
 * returned promise makes the next callback wait for this one.
 *
 * @internal
 */
export type VerihubsCallbackSender = (url: string) => void | Promise<void>;

/** How long the default sender waits for a callback's answer before giving up. @internal */
export const VERIHUBS_CALLBACK_TIMEOUT_MS = 5_000;

/** The most callbacks waiting their turn; beyond it the oldest are dropped. @internal */
export const VERIHUBS_CALLBACK_QUEUE_LIMIT = 10_000;

/** The statuses the sandbox calls back with, per channel (the provider's numbering). @internal */
export const VERIHUBS_CALLBACK_STATUSES = {
  sms: { requested: 0, delivered: 1, verified: 2 },
  whatsapp: { requested: 0, delivered: 2, verified: 4 },
} as const satisfies Record<
  VerihubsSandboxChannel,
  { requested: number; delivered: number; verified: number }
>;

/**
 * `callback_url` with `session_id` and `status` appended to its query: its own
 * parameters are kept byte for byte, its fragment dropped.
 *
 * @internal
 */
export function verihubsCallbackUrl(base: string, sessionId: string, status: number): string {
  const hash = base.indexOf('#');
  const head = hash < 0 ? base : base.slice(0, hash);
  const separator = !head.includes('?') ? '?' : /[?&]$/.test(head) ? '' : '&';
  return `${head}${separator}session_id=${encodeURIComponent(sessionId)}&status=${status}`;
}

/**
 * The default sender: a fire-and-forget `GET` over `node:http` or `node:https`,
 * on its own connection, given up after `timeoutMs`. Resolves once the answer
 * is read or the attempt failed; never rejects. The answer is ignored.
 *
 * @internal
 */
export function sendVerihubsCallback(
  url: string,
  timeoutMs = VERIHUBS_CALLBACK_TIMEOUT_MS,
): Promise<void> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return resolve();
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      return resolve();
    }
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const outgoing = request(target, { method: 'GET', agent: false }, (incoming) =>
      incoming.resume(),
    );
    const timer = setTimeout(() => outgoing.destroy(), timeoutMs);
    timer.unref();
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    // 'close' comes last, whether the answer was read, the request failed or timed out.
    outgoing.on('error', done);
    outgoing.on('close', done);
    outgoing.end();
  });
}

/**
 * The callbacks of one sandbox, made in the order they were pushed, one after
 * the other: each waits `delayMs`, then its sender (and the promise it returns).
 * A callback whose sender throws is dropped. Timers do not keep the process alive.
 *
 * @internal
 */
export class VerihubsCallbackQueue {
  private pending: string[] = [];
  private busy = false;
  private timer: NodeJS.Timeout | undefined;
  private generation = 0;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly send: VerihubsCallbackSender = sendVerihubsCallback,
    private readonly delayMs = 0,
  ) {}

  /** Queues callbacks, after those already waiting. */
  push(...urls: string[]): void {
    this.pending.push(...urls);
    if (this.pending.length > VERIHUBS_CALLBACK_QUEUE_LIMIT) {
      this.pending.splice(0, this.pending.length - VERIHUBS_CALLBACK_QUEUE_LIMIT);
    }
    this.next();
  }

  /** Callbacks not made yet, the one under way included. */
  get size(): number {
    return this.pending.length + (this.busy ? 1 : 0);
  }

  /** Resolves once every callback queued so far has been made (or dropped by {@link clear}). */
  idle(): Promise<void> {
    if (this.size === 0) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Drops every callback not made yet; one whose sender already runs finishes unwatched. */
  clear(): void {
    this.generation += 1;
    this.pending = [];
    clearTimeout(this.timer);
    this.timer = undefined;
    this.busy = false;
    this.settle();
  }

  /** Schedules the next callback after `delayMs`, unless one is under way or none waits. */
  private next(): void {
    if (this.busy) {
      return;
    }
    const url = this.pending.shift();
    if (url === undefined) {
      return this.settle();
    }
    this.busy = true;
    const generation = this.generation;
    this.timer = setTimeout(() => void this.make(url, generation), this.delayMs);
    this.timer.unref();
  }

  /** Makes one callback, then the next, unless {@link clear} came in between. */
  private async make(url: string, generation: number): Promise<void> {
    this.timer = undefined;
    try {
      await this.send(url);
    } catch {
      // A callback that fails is not retried: the sandbox's caller learns nothing of it.
    }
    if (generation === this.generation) {
      this.busy = false;
      this.next();
    }
  }

  /** Resolves every {@link idle} waiting. */
  private settle(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) {
      resolve();
    }
  }
}
