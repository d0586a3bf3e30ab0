import type { VerifyNowEvent, VerifyNowEventName, VerifyNowEventOf } from '../../lib';

/** How long {@link EventCollector.waitFor} waits for an event before it fails. */
const WAIT_MS = 3_000;

/**
 * Keeps every event a listener was handed, in order, and lets a test wait for
 * the one it expects (events are delivered on a later turn of the event loop).
 */
export class EventCollector {
  readonly events: VerifyNowEvent[] = [];
  private readonly waiters = new Set<() => void>();

  /** @param sink - another list every event is also pushed to (a file-wide one, say). */
  constructor(private readonly sink?: VerifyNowEvent[]) {}

  /** The listener to subscribe: `events.subscribe(collector.listener)`. */
  readonly listener = (event: VerifyNowEvent): void => {
    this.events.push(event);
    this.sink?.push(event);
    for (const waiter of [...this.waiters]) waiter();
  };

  /** Where the events of what comes next begin. */
  mark(): number {
    return this.events.length;
  }

  /** The events since `from`. */
  since(from: number): VerifyNowEvent[] {
    return this.events.slice(from);
  }

  /** The events called `name` since `from`, optionally only those `match` accepts. */
  named<Name extends VerifyNowEventName>(
    name: Name,
    from = 0,
    match: (event: NoInfer<VerifyNowEventOf<Name>>) => boolean = () => true,
  ): VerifyNowEventOf<Name>[] {
    return this.events
      .slice(from)
      .filter((event): event is VerifyNowEventOf<Name> => event.name === name)
      .filter(match);
  }

  /**
   * Resolves with the events called `name` since `from` (those `match` accepts)
   * once there are `count` of them; fails after three seconds with what came.
   */
  waitFor<Name extends VerifyNowEventName>(
    name: Name,
    options: {
      from?: number;
      match?: (event: NoInfer<VerifyNowEventOf<Name>>) => boolean;
      count?: number;
      timeoutMs?: number;
    } = {},
  ): Promise<VerifyNowEventOf<Name>[]> {
    const { from = 0, match, count = 1, timeoutMs = WAIT_MS } = options;
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.named(name, from, match);
        if (found.length < count) return false;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(found);
        return true;
      };
      const waiter = (): void => void check();
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const seen = this.events.slice(from).map((event) => event.name);
        reject(
          new Error(
            `waited ${timeoutMs} ms for ${count} × ${name}; got ${this.named(name, from, match).length}. Events since: ${seen.join(', ') || 'none'}`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(waiter);
      check();
    });
  }
}

/**
 * Lets every event raised so far reach its listeners: each is delivered on a
 * turn of its own (`setImmediate`), so two turns and a few milliseconds are
 * past any of them. Used before counting, so that a duplicate would be seen.
 */
export async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setTimeout(resolve, 10));
  await new Promise((resolve) => setImmediate(resolve));
}

/** Matches a number within `slack` of `value`, e.g. two readings of a clock. */
export function near(value: number, slack = 1_000) {
  return {
    asymmetricMatch: (actual: unknown): boolean =>
      typeof actual === 'number' && Math.abs(actual - value) <= slack,
    toAsymmetricMatcher: (): string => `a number within ${slack} of ${value}`,
  };
}

/** The shape of a masked phone number in a payload: `+`, stars, the last four digits. */
export const MASKED_PHONE = /^\+\*+\d{4}$/;
