import type { VerifyNowEvent } from '../events/verifynow.events';
import type { CircuitBreakerState } from '../resilience/upstream-circuit.breaker';
import { measurementOf } from './event-measurement.util';
import {
  loadOtelApi,
  packageVersion,
  type OtelApi,
  type OtelBatchObservableCallback,
  type OtelMeter,
} from './otel-api.loader';
import { tracerSource } from './tracer-source';
import { UpstreamCallTracer, type UpstreamCall } from './upstream-call.tracer';
import {
  BREAKER_STATE_VALUES,
  TELEMETRY_SCOPE,
  VERIFYNOW_ATTRIBUTES as ATTR,
} from './telemetry.names';
import { createInstruments, type VerifyNowInstruments } from './verifynow.instruments';

export type { UpstreamCall } from './upstream-call.tracer';

/** How one upstream stands when metrics are collected. @internal */
export interface UpstreamReading {
  provider: string;
  breaker: CircuitBreakerState;
  /** Requests waiting for its outbound rate cap. */
  queued: number;
}

/** Gauge values by breaker state; a disabled breaker reports no state. */
const BREAKER_VALUES: Readonly<Record<CircuitBreakerState, number | undefined>> = {
  ...BREAKER_STATE_VALUES,
  disabled: undefined,
};

/**
 * The module's OpenTelemetry metrics and spans, through `@opentelemetry/api`
 * alone: the application brings the SDK and its exporters. Without the API
 * installed every method is a no-op that costs a branch; with the API but no
 * SDK, the API's no-op meter applies and no span is made.
 *
 * Telemetry never fails what it observes: errors of its own are swallowed.
 * Its attributes never carry a phone number (not even masked), a code, a
 * verification id, a key or a token.
 *
 * @internal
 */
export class VerifyNowTelemetry {
  private readonly meter: OtelMeter | undefined;
  private readonly instruments: VerifyNowInstruments | undefined;
  private readonly upstreamCalls: UpstreamCallTracer | undefined;
  private readonly observers: OtelBatchObservableCallback[] = [];

  /** Loads `@opentelemetry/api` if the application installed it. */
  static create(): VerifyNowTelemetry {
    const api = loadOtelApi();
    try {
      return new VerifyNowTelemetry(api);
    } catch {
      // An API this module cannot use is as good as none.
      return new VerifyNowTelemetry(undefined);
    }
  }

  /**
   * @param api - `@opentelemetry/api`, or an object of the same shape (specs
   *   pass one over their own providers); `undefined` turns everything off.
   * @param version - the instrumentation scope's version: this package's.
   */
  constructor(api: OtelApi | undefined, version: string | undefined = packageVersion()) {
    if (api === undefined) {
      return;
    }
    this.meter = api.metrics.getMeter(TELEMETRY_SCOPE, version);
    this.instruments = createInstruments(this.meter);
    this.upstreamCalls = new UpstreamCallTracer(
      api,
      tracerSource(api.trace, TELEMETRY_SCOPE, version),
      this.instruments.upstreamDuration,
    );
  }

  /** Updates the metrics `event` bears on. Never throws. */
  record(event: VerifyNowEvent): void {
    if (this.instruments === undefined) {
      return;
    }
    try {
      const measurement = measurementOf(event);
      if (measurement !== undefined) {
        this.instruments.events[measurement.instrument](measurement.value, measurement.attributes);
      }
    } catch {
      // Telemetry must not fail the verification that raised the event.
    }
  }

  /**
   * Runs one upstream call inside a CLIENT span, made active so that HTTP
   * instrumentation nests under it, and records its duration. A failure sets
   * the span's status and `error.type` from the error's `codeName`; the error
   * itself is never recorded (its message and stack may quote the upstream),
   * and it is rethrown unchanged.
   */
  traceUpstream<T>(call: UpstreamCall, run: () => Promise<T>): Promise<T> {
    return this.upstreamCalls === undefined ? run() : this.upstreamCalls.trace(call, run);
  }

  /**
   * Reports each upstream's breaker state and rate-cap queue as gauges, read
   * from `source` at each collection. {@link VerifyNowTelemetry.shutdown} stops it.
   */
  observeUpstreams(source: () => Iterable<UpstreamReading>): void {
    const meter = this.meter;
    const instruments = this.instruments;
    if (meter === undefined || instruments === undefined) {
      return;
    }
    const { breakerState, queueSize } = instruments;
    const callback: OtelBatchObservableCallback = (result) => {
      try {
        for (const { provider, breaker, queued } of source()) {
          const attributes = { [ATTR.provider]: provider };
          const state = BREAKER_VALUES[breaker];
          if (state !== undefined) {
            result.observe(breakerState, state, attributes);
          }
          result.observe(queueSize, queued, attributes);
        }
      } catch {
        // A source that fails skips this collection; the next one reads it again.
      }
    };
    meter.addBatchObservableCallback(callback, [breakerState, queueSize]);
    this.observers.push(callback);
  }

  /** Stops the gauges' callbacks, so that the meter no longer holds the module's state. */
  shutdown(): void {
    const instruments = this.instruments;
    const callbacks = this.observers.splice(0);
    if (this.meter === undefined || instruments === undefined) {
      return;
    }
    for (const callback of callbacks) {
      this.meter.removeBatchObservableCallback(callback, [
        instruments.breakerState,
        instruments.queueSize,
      ]);
    }
  }

  /** Nest's shutdown hook: {@link VerifyNowTelemetry.shutdown}. */
  onApplicationShutdown(): void {
    this.shutdown();
  }
}
