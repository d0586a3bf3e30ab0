/**
 * The few parts of `@opentelemetry/api` the module uses, typed here rather than
 * imported: the API is an optional peer, and the package's declarations must
 * compile for applications that do not install it (`skipLibCheck: false`).
 * The specs check that the real API fits these shapes.
 */

/** Attribute values the module sets: low-cardinality strings and numbers. @internal */
export type OtelAttributes = Record<string, string | number>;

/** @internal */
export interface OtelInstrumentOptions {
  description?: string;
  unit?: string;
  /** Bucket boundaries the SDK uses unless a view overrides them; older SDKs ignore it. */
  advice?: { explicitBucketBoundaries?: number[] };
}

/** An observable instrument, only ever handed back to the meter. @internal */
export type OtelObservable = object;

/** @internal */
export interface OtelBatchObservableResult {
  observe(observable: OtelObservable, value: number, attributes?: OtelAttributes): void;
}

/** @internal */
export type OtelBatchObservableCallback = (result: OtelBatchObservableResult) => void;

/** @internal */
export interface OtelMeter {
  createCounter(
    name: string,
    options?: OtelInstrumentOptions,
  ): { add(value: number, attributes?: OtelAttributes): void };
  createHistogram(
    name: string,
    options?: OtelInstrumentOptions,
  ): { record(value: number, attributes?: OtelAttributes): void };
  createObservableGauge(name: string, options?: OtelInstrumentOptions): OtelObservable;
  addBatchObservableCallback(
    callback: OtelBatchObservableCallback,
    observables: OtelObservable[],
  ): void;
  removeBatchObservableCallback(
    callback: OtelBatchObservableCallback,
    observables: OtelObservable[],
  ): void;
}

/** @internal */
export interface OtelSpan {
  setAttribute(key: string, value: string | number): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  end(): void;
}

/** @internal */
export interface OtelSpanOptions {
  kind: number;
  attributes: OtelAttributes;
}

/** @internal */
export interface OtelTracer {
  startActiveSpan<F extends (span: OtelSpan) => unknown>(
    name: string,
    options: OtelSpanOptions,
    fn: F,
  ): ReturnType<F>;
}

/** Where spans go: `@opentelemetry/api`'s `trace`, or a provider (specs). @internal */
export interface OtelTraceSource {
  getTracer(name: string, version?: string): OtelTracer;
  getTracerProvider?(): unknown;
}

/** What the module takes from `@opentelemetry/api` (its module object fits). @internal */
export interface OtelApi {
  metrics: { getMeter(name: string, version?: string): OtelMeter };
  trace: OtelTraceSource;
  SpanKind: { CLIENT: number };
  SpanStatusCode: { ERROR: number };
}

/**
 * `@opentelemetry/api` when the application installed it, else `undefined`:
 * loaded only now, so that applications without it need not install it.
 *
 * @internal
 */
export function loadOtelApi(): OtelApi | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@opentelemetry/api') as OtelApi;
  } catch {
    return undefined;
  }
}

/**
 * This package's version, for the instrumentation scope. `package.json` sits two
 * levels up from both `lib/telemetry/` and `dist/telemetry/`.
 *
 * @internal
 */
export function packageVersion(): string | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('../../package.json') as { version?: string }).version;
  } catch {
    return undefined;
  }
}
