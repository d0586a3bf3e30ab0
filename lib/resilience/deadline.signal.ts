import type { GenericAbortSignal } from 'axios';

/** What an `abort` listener is called with. @internal */
export interface DeadlineAbortEvent {
  readonly type: 'abort';
  readonly target: DeadlineSignal;
}

type AbortListener = (event: DeadlineAbortEvent) => unknown;

/**
 * The abort signal of one call's {@link Deadline}: what axios reads of a
 * signal (its `GenericAbortSignal`: `aborted`, `onabort`, `addEventListener`
 * and `removeEventListener` for `'abort'`), and `reason`. Node's
 * `AbortController` builds an `EventTarget` for every call, a measurable share
 * of a fast request; this is a flag and a short list.
 *
 * As with an `AbortSignal`: it aborts once; listeners run in the order they
 * were added, each once, `onabort` first; a listener added after the abort is
 * never called; one that throws does not keep the others from running, and the
 * first error is thrown once all have run.
 *
 * @internal
 */
export class DeadlineSignal implements GenericAbortSignal {
  private abortedNow = false;
  private why: unknown = undefined;
  private listeners: AbortListener[] | undefined;
  /** Called first when the signal aborts, as `AbortSignal.onabort` is. */
  onabort: AbortListener | null = null;

  /** True once the deadline has passed. */
  get aborted(): boolean {
    return this.abortedNow;
  }

  /** Why it aborted: the deadline's error; `undefined` until then. */
  get reason(): unknown {
    return this.why;
  }

  /** Calls `listener` when the signal aborts; other event types are never dispatched. */
  addEventListener(type: string, listener: unknown): void {
    if (type !== 'abort' || typeof listener !== 'function' || this.abortedNow) {
      return;
    }
    const listeners = (this.listeners ??= []);
    if (!listeners.includes(listener as AbortListener)) {
      listeners.push(listener as AbortListener);
    }
  }

  /** Forgets `listener`. */
  removeEventListener(type: string, listener: unknown): void {
    const index =
      type === 'abort' ? (this.listeners?.indexOf(listener as AbortListener) ?? -1) : -1;
    if (index !== -1) {
      this.listeners?.splice(index, 1);
    }
  }

  /** Aborts with `reason`, once: later calls do nothing. */
  abort(reason: unknown): void {
    if (this.abortedNow) {
      return;
    }
    this.abortedNow = true;
    this.why = reason;
    const listeners = [this.onabort, ...(this.listeners ?? [])];
    this.listeners = undefined;
    const event: DeadlineAbortEvent = { type: 'abort', target: this };
    let failure: { error: unknown } | undefined;
    for (const listener of listeners) {
      try {
        listener?.call(this, event);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== undefined) {
      throw failure.error;
    }
  }
}
