import type { EventInstrument } from './event-measurement.util';
import type { OtelAttributes, OtelMeter, OtelObservable } from './otel-api.loader';
import {
  DELIVERY_DURATION_BUCKETS,
  UPSTREAM_DURATION_BUCKETS,
  VERIFYNOW_METRICS as METRICS,
} from './telemetry.names';

/** Adds to a counter or records in a histogram. @internal */
export type Measure = (value: number, attributes: OtelAttributes) => void;

/** The module's instruments, made once from one meter. @internal */
export interface VerifyNowInstruments {
  /** What events update, by the name `measurementOf()` gives. */
  events: Readonly<Record<EventInstrument, Measure>>;
  upstreamDuration: Measure;
  breakerState: OtelObservable;
  queueSize: OtelObservable;
}

type MetricDefinition = (typeof METRICS)[keyof typeof METRICS];

/**
 * Creates every instrument of {@link VERIFYNOW_METRICS} on `meter`. The
 * histograms advise their bucket boundaries: the SDK's defaults suit
 * milliseconds, not seconds.
 *
 * @internal
 */
export function createInstruments(meter: OtelMeter): VerifyNowInstruments {
  const counter = ({ name, unit, description }: MetricDefinition): Measure => {
    const instrument = meter.createCounter(name, { unit, description });
    return (value, attributes) => instrument.add(value, attributes);
  };
  const histogram = (
    { name, unit, description }: MetricDefinition,
    boundaries: readonly number[],
  ): Measure => {
    const instrument = meter.createHistogram(name, {
      unit,
      description,
      advice: { explicitBucketBoundaries: [...boundaries] },
    });
    return (value, attributes) => instrument.record(value, attributes);
  };
  const gauge = ({ name, unit, description }: MetricDefinition): OtelObservable =>
    meter.createObservableGauge(name, { unit, description });

  return {
    events: {
      otpSends: counter(METRICS.otpSends),
      otpValidations: counter(METRICS.otpValidations),
      otpLocks: counter(METRICS.otpLocks),
      otpFailovers: counter(METRICS.otpFailovers),
      stepUpDecisions: counter(METRICS.stepUpDecisions),
      otpDeliveryDuration: histogram(METRICS.otpDeliveryDuration, DELIVERY_DURATION_BUCKETS),
    },
    upstreamDuration: histogram(METRICS.upstreamDuration, UPSTREAM_DURATION_BUCKETS),
    breakerState: gauge(METRICS.upstreamBreakerState),
    queueSize: gauge(METRICS.upstreamQueueSize),
  };
}
