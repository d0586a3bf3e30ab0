import {
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { VERIFYNOW_TELEMETRY } from '../verifynow.internal-constants';
import type { VerifyNowTelemetry } from '../telemetry/verifynow.telemetry';
import { EventEmitterLike, findEventEmitter } from './event-emitter.loader';
import type { VerifyNowEvent, VerifyNowEventName, VerifyNowEventOf } from './verifynow.events';

/** A subscriber of {@link VerifyNowEvents}; what it returns or throws changes nothing. */
export type VerifyNowEventListener<Event extends VerifyNowEvent = VerifyNowEvent> = (
  event: Event,
) => unknown;

/**
 * The lifecycle events of every verification (`VERIFYNOW_EVENTS`), delivered
 * after the fact: to `@OnEvent()` handlers when the application imports
 * `EventEmitterModule` from `@nestjs/event-emitter`, and to listeners
 * subscribed here, with or without it. Delivery happens on a later turn of the
 * event loop, each listener apart: a slow, throwing or rejecting listener never
 * delays or breaks the send, validation or guard decision that raised the event.
 * Payloads are frozen and carry no code, full number, key or token.
 *
 * @example
 * constructor(events: VerifyNowEvents) {
 *   events.on('verifynow.step_up.refused', (event) => audit.write(event));
 * }
 */
@Injectable()
export class VerifyNowEvents implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('VerifyNowEvents');
  private readonly listeners = new Set<VerifyNowEventListener>();
  private emitter: EventEmitterLike | undefined;
  /** Raised, not yet delivered: one later turn delivers them all, in order. */
  private pending: VerifyNowEvent[] = [];

  /** @internal Nest builds it. */
  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(VERIFYNOW_TELEMETRY) private readonly telemetry: VerifyNowTelemetry,
  ) {}

  /** Nest's hook: finds `@nestjs/event-emitter`'s emitter once every module is built. */
  onApplicationBootstrap(): void {
    this.emitter = findEventEmitter(this.moduleRef);
  }

  /** Nest's hook: forgets the subscribers with the application. */
  onApplicationShutdown(): void {
    this.listeners.clear();
  }

  /**
   * Calls `listener` with every event.
   *
   * @returns a function that unsubscribes it.
   */
  subscribe(listener: VerifyNowEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Calls `listener` with each event called `name`.
   *
   * @returns a function that unsubscribes it.
   */
  on<Name extends VerifyNowEventName>(
    name: Name,
    listener: VerifyNowEventListener<VerifyNowEventOf<Name>>,
  ): () => void {
    return this.subscribe((event) =>
      event.name === name ? listener(event as VerifyNowEventOf<Name>) : undefined,
    );
  }

  /**
   * Raises an event: metrics at once, listeners later.
   *
   * @internal
   */
  emit(event: VerifyNowEvent): void {
    this.telemetry.record(event);
    if (this.emitter === undefined && this.listeners.size === 0) {
      return;
    }
    if (this.pending.push(Object.freeze(event)) === 1) {
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    const events = this.pending;
    this.pending = [];
    events.forEach((event) => this.deliver(event));
  }

  private deliver(event: VerifyNowEvent): void {
    if (this.emitter !== undefined) {
      this.settle(() => this.emitter?.emitAsync(event.name, event), event);
    }
    for (const listener of this.listeners) {
      this.settle(() => listener(event), event);
    }
  }

  /** Runs one listener; what it throws or rejects with is logged by name, never rethrown. */
  private settle(run: () => unknown, event: VerifyNowEvent): void {
    try {
      const result = run();
      if (result instanceof Promise) {
        result.catch((error: unknown) => this.failed(error, event));
      }
    } catch (error) {
      this.failed(error, event);
    }
  }

  private failed(error: unknown, event: VerifyNowEvent): void {
    // The error's message may quote the payload's caller-side data: its class only.
    const name = error instanceof Error ? error.name : typeof error;
    this.logger.warn(`A listener of ${event.name} failed (${name}); the event is not retried.`);
  }
}
