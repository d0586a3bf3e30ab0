import * as api from '@opentelemetry/api';
import {
  DataPointType,
  MeterProvider,
  MetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { VerifyNowException } from '../errors/verifynow.exception';
import {
  VERIFYNOW_EVENTS,
  type VerifyNowEvent,
  type VerifyNowEventBase,
} from '../events/verifynow.events';
import { loadOtelApi, type OtelApi, type OtelMeter } from './otel-api.loader';
import {
  DELIVERY_DURATION_BUCKETS,
  TELEMETRY_SCOPE,
  UPSTREAM_DURATION_BUCKETS,
  VERIFYNOW_ATTRIBUTES as ATTR,
  VERIFYNOW_METRICS as METRICS,
} from './telemetry.names';
import { VerifyNowTelemetry, type UpstreamCall, type UpstreamReading } from './verifynow.telemetry';

// Compile-time: the real API fits the shape the module types for itself.
const realApiFits: OtelApi = api;

/** A reader whose `collect()` the specs call: no timers, no exporter. */
class CollectingReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** The SDK's context manager for Node lives in another package: a synchronous stack suffices. */
class StackContextManager implements api.ContextManager {
  private current: api.Context = api.ROOT_CONTEXT;
  active(): api.Context {
    return this.current;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: api.Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const previous = this.current;
    this.current = context;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.current = previous;
    }
  }
  bind<T>(_context: api.Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.current = api.ROOT_CONTEXT;
    return this;
  }
}

interface Point {
  attributes: api.Attributes;
  value: unknown;
}

function harness() {
  const reader = new CollectingReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const otel: OtelApi = {
    metrics: meterProvider,
    trace: tracerProvider,
    SpanKind: api.SpanKind,
    SpanStatusCode: api.SpanStatusCode,
  };
  const telemetry = new VerifyNowTelemetry(otel, '9.9.9');

  const collect = async (): Promise<MetricData[]> => {
    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    return resourceMetrics.scopeMetrics.flatMap(({ metrics }) => metrics);
  };
  const points = async (name: string): Promise<Point[]> =>
    (await collect())
      .filter(({ descriptor }) => descriptor.name === name)
      .flatMap(({ dataPoints }) => dataPoints as Point[]);
  const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
  return { telemetry, collect, points, spans, tracerProvider };
}

const base: VerifyNowEventBase = {
  at: 1_767_225_600_000,
  verificationId: '48213377',
  phone: '+62********9429',
  provider: 'verifynow',
  channel: 'SMS',
  purpose: 'transfer',
  stepUp: false,
  sentAt: 1_767_225_590_000,
  latencyMs: 180,
};

const where = { [ATTR.provider]: 'verifynow', [ATTR.channel]: 'SMS' };

/** Every event kind, what it must count, and on which instrument. */
const cases: { event: VerifyNowEvent; metric: string; attributes: api.Attributes }[] = [
  {
    event: { ...base, name: VERIFYNOW_EVENTS.otpSent, pending: false, expiresInSeconds: 300 },
    metric: METRICS.otpSends.name,
    attributes: { ...where, [ATTR.outcome]: 'sent' },
  },
  {
    event: { ...base, name: VERIFYNOW_EVENTS.otpSent, pending: true, expiresInSeconds: 240 },
    metric: METRICS.otpSends.name,
    attributes: { ...where, [ATTR.outcome]: 'pending' },
  },
  {
    event: {
      ...base,
      verificationId: null,
      provider: null,
      name: VERIFYNOW_EVENTS.otpSendRefused,
      reason: 'phoneNumber',
      error: 'TOO_MANY_OTP_REQUESTS',
    },
    metric: METRICS.otpSends.name,
    attributes: {
      [ATTR.channel]: 'SMS',
      [ATTR.outcome]: 'refused',
      [ATTR.errorType]: 'TOO_MANY_OTP_REQUESTS',
    },
  },
  {
    event: {
      ...base,
      name: VERIFYNOW_EVENTS.otpSendFailed,
      error: 'UPSTREAM_UNAVAILABLE',
      upstreamStatus: 503,
    },
    metric: METRICS.otpSends.name,
    attributes: { ...where, [ATTR.outcome]: 'failed', [ATTR.errorType]: 'UPSTREAM_UNAVAILABLE' },
  },
  {
    event: { ...base, name: VERIFYNOW_EVENTS.otpFailover, to: 'verihubs', error: 'CIRCUIT_OPEN' },
    metric: METRICS.otpFailovers.name,
    attributes: {
      [ATTR.provider]: 'verifynow',
      [ATTR.failoverTo]: 'verihubs',
      [ATTR.errorType]: 'CIRCUIT_OPEN',
    },
  },
  {
    event: { ...base, name: VERIFYNOW_EVENTS.otpVerified },
    metric: METRICS.otpValidations.name,
    attributes: { ...where, [ATTR.outcome]: 'verified' },
  },
  {
    event: {
      ...base,
      name: VERIFYNOW_EVENTS.otpWrongCode,
      failedAttempts: 1,
      attemptsLeft: 2,
    },
    metric: METRICS.otpValidations.name,
    attributes: { ...where, [ATTR.outcome]: 'wrong_code' },
  },
  {
    event: { ...base, name: VERIFYNOW_EVENTS.otpExpired },
    metric: METRICS.otpValidations.name,
    attributes: { ...where, [ATTR.outcome]: 'expired' },
  },
  {
    event: { ...base, name: VERIFYNOW_EVENTS.otpValidationRefused, error: 'OTP_UNKNOWN' },
    metric: METRICS.otpValidations.name,
    attributes: { ...where, [ATTR.outcome]: 'refused', [ATTR.errorType]: 'OTP_UNKNOWN' },
  },
  {
    event: { ...base, name: VERIFYNOW_EVENTS.otpLocked, failedAttempts: 3 },
    metric: METRICS.otpLocks.name,
    attributes: where,
  },
  {
    event: { ...base, stepUp: true, name: VERIFYNOW_EVENTS.stepUpChallenged, pending: false },
    metric: METRICS.stepUpDecisions.name,
    attributes: { [ATTR.outcome]: 'challenged' },
  },
  {
    event: { ...base, stepUp: true, name: VERIFYNOW_EVENTS.stepUpPassed },
    metric: METRICS.stepUpDecisions.name,
    attributes: { [ATTR.outcome]: 'passed' },
  },
  {
    event: { ...base, stepUp: true, name: VERIFYNOW_EVENTS.stepUpRefused, code: 'OTP_INVALID' },
    metric: METRICS.stepUpDecisions.name,
    attributes: { [ATTR.outcome]: 'refused', [ATTR.refusalCode]: 'OTP_INVALID' },
  },
];

const sendCall: UpstreamCall = { provider: 'verihubs', operation: 'send', channel: 'WHATSAPP' };

function upstreamError(): VerifyNowException {
  return new VerifyNowException({
    status: 502,
    codeName: 'UPSTREAM_UNAVAILABLE',
    responseCode: 800,
    publicMessage: 'The verification service is not available right now.',
    detail: 'Verihubs send answered 800 (HTTP 503): no route to +6281234567890',
    expose: true,
    provider: 'verihubs',
    operation: 'send',
    upstreamStatus: 503,
  });
}

/** Every attribute key and value the telemetry exported, and the spans' status messages. */
async function everythingExported(h: ReturnType<typeof harness>): Promise<string[]> {
  const texts: string[] = [];
  const add = (attributes: api.Attributes) =>
    Object.entries(attributes).forEach(([key, value]) => texts.push(key, String(value)));
  for (const metric of await h.collect()) {
    for (const point of metric.dataPoints) add(point.attributes);
  }
  for (const span of h.spans()) {
    add(span.attributes);
    texts.push(span.name, span.status.message ?? '');
    span.events.forEach((event) => add(event.attributes ?? {}));
  }
  return texts;
}

describe('VerifyNowTelemetry', () => {
  it('types the real API as it is', () => {
    expect(realApiFits.SpanKind.CLIENT).toBe(api.SpanKind.CLIENT);
  });

  describe('record()', () => {
    it.each(cases)('counts $event.name on $metric', async ({ event, metric, attributes }) => {
      const h = harness();
      h.telemetry.record(event);
      h.telemetry.record(event);

      const metrics = await h.collect();
      expect(metrics.map(({ descriptor }) => descriptor.name)).toEqual([metric]);
      const [{ descriptor, dataPoints }] = metrics;
      const definition = Object.values(METRICS).find(({ name }) => name === metric);
      expect(descriptor.unit).toBe(definition?.unit);
      expect(dataPoints).toEqual([expect.objectContaining({ attributes, value: 2 })]);
    });

    it.each([
      [VERIFYNOW_EVENTS.otpDelivered, 'delivered'],
      [VERIFYNOW_EVENTS.otpUndelivered, 'undelivered'],
    ] as const)('records %s as a delivery time in seconds', async (name, status) => {
      const h = harness();
      h.telemetry.record({ ...base, name, status: 1, deliveryLatencyMs: 4_250 });

      const [point] = await h.points(METRICS.otpDeliveryDuration.name);
      expect(point.attributes).toEqual({ ...where, [ATTR.deliveryStatus]: status });
      expect(point.value).toMatchObject({
        count: 1,
        sum: 4.25,
        buckets: { boundaries: DELIVERY_DURATION_BUCKETS },
      });
    });

    it('records no delivery time for a report dated before its send', async () => {
      const h = harness();
      h.telemetry.record({
        ...base,
        name: VERIFYNOW_EVENTS.otpDelivered,
        status: 1,
        deliveryLatencyMs: -20,
      });
      expect(await h.points(METRICS.otpDeliveryDuration.name)).toEqual([]);
    });

    it('puts a free-form error text down as _OTHER', async () => {
      const h = harness();
      h.telemetry.record({
        ...base,
        name: VERIFYNOW_EVENTS.otpSendFailed,
        error: 'upstream said: unknown number +6281234567890',
        upstreamStatus: 400,
      });
      const [point] = await h.points(METRICS.otpSends.name);
      expect(point.attributes[ATTR.errorType]).toBe('_OTHER');
    });

    it('never throws, even when the meter does', () => {
      const meter = Object.create(new MeterProvider().getMeter('x')) as OtelMeter;
      meter.createCounter = () => ({
        add: () => {
          throw new Error('meter down');
        },
      });
      const telemetry = new VerifyNowTelemetry({
        ...harnessApi(),
        metrics: { getMeter: () => meter },
      });
      expect(() => telemetry.record(cases[0].event)).not.toThrow();
    });
  });

  describe('traceUpstream()', () => {
    let warnings: string[];

    beforeEach(() => {
      warnings = [];
      api.diag.setLogger(
        {
          error: (message) => warnings.push(message),
          warn: (message) => warnings.push(message),
          info: () => undefined,
          debug: () => undefined,
          verbose: () => undefined,
        },
        api.DiagLogLevel.WARN,
      );
      api.context.setGlobalContextManager(new StackContextManager());
    });

    afterEach(() => {
      api.context.disable();
      api.diag.disable();
      // The SDK warns on anything done to an ended span: a second end() included.
      expect(warnings).toEqual([]);
    });

    it('runs the call in an active CLIENT span and records its duration', async () => {
      const h = harness();
      let activeInside: api.Span | undefined;

      const result = await h.telemetry.traceUpstream(sendCall, () => {
        activeInside = api.trace.getActiveSpan();
        return Promise.resolve({ verificationId: '48213377' });
      });

      expect(result).toEqual({ verificationId: '48213377' });
      const [span, ...others] = h.spans();
      expect(others).toEqual([]);
      expect(span.name).toBe('verifynow send');
      expect(span.kind).toBe(api.SpanKind.CLIENT);
      expect(span.instrumentationScope).toMatchObject({ name: TELEMETRY_SCOPE, version: '9.9.9' });
      expect(activeInside?.spanContext().spanId).toBe(span.spanContext().spanId);
      expect(span.attributes).toEqual({
        [ATTR.provider]: 'verihubs',
        [ATTR.operation]: 'send',
        [ATTR.channel]: 'WHATSAPP',
        [ATTR.outcome]: 'ok',
      });
      expect(span.status.code).toBe(api.SpanStatusCode.UNSET);

      const [point, ...more] = await h.points(METRICS.upstreamDuration.name);
      expect(more).toEqual([]);
      expect(point.attributes).toEqual({
        [ATTR.provider]: 'verihubs',
        [ATTR.operation]: 'send',
        [ATTR.outcome]: 'ok',
      });
      expect(point.value).toMatchObject({
        count: 1,
        buckets: { boundaries: UPSTREAM_DURATION_BUCKETS },
      });
    });

    it('marks a failed call by its codeName and rethrows the same error', async () => {
      const h = harness();
      const error = upstreamError();

      await expect(h.telemetry.traceUpstream(sendCall, () => Promise.reject(error))).rejects.toBe(
        error,
      );

      const [span, ...others] = h.spans();
      expect(others).toEqual([]);
      expect(span.status).toEqual({
        code: api.SpanStatusCode.ERROR,
        message: 'UPSTREAM_UNAVAILABLE',
      });
      expect(span.attributes).toEqual({
        [ATTR.provider]: 'verihubs',
        [ATTR.operation]: 'send',
        [ATTR.channel]: 'WHATSAPP',
        [ATTR.outcome]: 'error',
        [ATTR.errorType]: 'UPSTREAM_UNAVAILABLE',
        [ATTR.responseCode]: 800,
        [ATTR.httpStatusCode]: 503,
      });
      // recordException() would have added an event with the message and stack.
      expect(span.events).toEqual([]);

      const [point] = await h.points(METRICS.upstreamDuration.name);
      expect(point.attributes).toEqual({
        [ATTR.provider]: 'verihubs',
        [ATTR.operation]: 'send',
        [ATTR.outcome]: 'error',
        [ATTR.errorType]: 'UPSTREAM_UNAVAILABLE',
      });
    });

    it('names an error that is no VerifyNowException by its class', async () => {
      const h = harness();
      const error = new TypeError('cannot read properties of +6281234567890');
      const call: UpstreamCall = { provider: 'verifynow', operation: 'validate' };

      await expect(h.telemetry.traceUpstream(call, () => Promise.reject(error))).rejects.toBe(
        error,
      );

      const [span] = h.spans();
      expect(span.name).toBe('verifynow validate');
      expect(span.status).toEqual({ code: api.SpanStatusCode.ERROR, message: 'TypeError' });
      expect(span.attributes).toEqual({
        [ATTR.provider]: 'verifynow',
        [ATTR.operation]: 'validate',
        [ATTR.outcome]: 'error',
        [ATTR.errorType]: 'TypeError',
      });
    });

    it('still makes the call when the tracer fails before it', async () => {
      const run = jest.fn(() => Promise.resolve('answer'));
      const telemetry = new VerifyNowTelemetry({
        ...harnessApi(),
        trace: {
          getTracer: () => ({
            startActiveSpan: () => {
              throw new Error('tracer down');
            },
          }),
        },
      });

      await expect(telemetry.traceUpstream(sendCall, run)).resolves.toBe('answer');
      expect(run).toHaveBeenCalledTimes(1);
    });
  });

  describe('traceUpstream() through the global API', () => {
    beforeEach(() => api.context.setGlobalContextManager(new StackContextManager()));
    afterEach(() => {
      api.context.disable();
      api.metrics.disable();
      api.trace.disable();
    });

    it('makes no span while no tracing SDK is registered, and spans once one is', async () => {
      const reader = new CollectingReader();
      api.metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
      const telemetry = VerifyNowTelemetry.create();

      // No SDK: the call runs in no span (not even a no-op one), and its duration is still recorded.
      const before = await telemetry.traceUpstream(sendCall, () =>
        Promise.resolve(api.trace.getActiveSpan()),
      );
      expect(before).toBeUndefined();
      const { resourceMetrics } = await reader.collect();
      const durations = resourceMetrics.scopeMetrics
        .flatMap(({ metrics }) => metrics)
        .filter(({ descriptor }) => descriptor.name === METRICS.upstreamDuration.name);
      expect(durations).toHaveLength(1);
      expect(durations[0].dataPoints[0].attributes).toEqual({
        [ATTR.provider]: sendCall.provider,
        [ATTR.operation]: 'send',
        [ATTR.outcome]: 'ok',
      });

      // The application registers its SDK after the module booted: spans from the next call on.
      const exporter = new InMemorySpanExporter();
      api.trace.setGlobalTracerProvider(
        new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
      );
      const during = await telemetry.traceUpstream(sendCall, () =>
        Promise.resolve(api.trace.getActiveSpan()),
      );
      const [span] = exporter.getFinishedSpans();
      expect(exporter.getFinishedSpans()).toHaveLength(1);
      expect(span.instrumentationScope.name).toBe(TELEMETRY_SCOPE);
      expect(during?.spanContext().spanId).toBe(span.spanContext().spanId);
    });

    it('rethrows a failed call unchanged with no tracing SDK, recording it as failed', async () => {
      const reader = new CollectingReader();
      api.metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
      const telemetry = VerifyNowTelemetry.create();
      const failure = new TypeError('socket hang up');
      await expect(telemetry.traceUpstream(sendCall, () => Promise.reject(failure))).rejects.toBe(
        failure,
      );
      const thrown = new RangeError('thrown before any promise');
      // A call that throws before it returns a promise: a rejection all the same, not a throw.
      await expect(
        telemetry.traceUpstream(sendCall, () => {
          throw thrown;
        }),
      ).rejects.toBe(thrown);
      const { resourceMetrics } = await reader.collect();
      const [duration] = resourceMetrics.scopeMetrics
        .flatMap(({ metrics }) => metrics)
        .filter(({ descriptor }) => descriptor.name === METRICS.upstreamDuration.name);
      expect(duration.dataPoints.map((point) => point.attributes)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ [ATTR.outcome]: 'error', [ATTR.errorType]: 'TypeError' }),
          expect.objectContaining({ [ATTR.outcome]: 'error', [ATTR.errorType]: 'RangeError' }),
        ]),
      );
    });
  });

  describe('observeUpstreams()', () => {
    it('reports breaker states and queues as gauges, until shutdown()', async () => {
      const h = harness();
      const readings: UpstreamReading[] = [
        { provider: 'verifynow', breaker: 'open', queued: 3 },
        { provider: 'verihubs', breaker: 'half-open', queued: 0 },
        { provider: 'other', breaker: 'disabled', queued: 1 },
      ];
      const source = jest.fn(() => readings);
      h.telemetry.observeUpstreams(source);

      const states = await h.points(METRICS.upstreamBreakerState.name);
      expect(states).toEqual([
        expect.objectContaining({ attributes: { [ATTR.provider]: 'verifynow' }, value: 2 }),
        expect.objectContaining({ attributes: { [ATTR.provider]: 'verihubs' }, value: 1 }),
      ]);
      readings[0].breaker = 'closed';
      const queues = await h.points(METRICS.upstreamQueueSize.name);
      expect(queues.map(({ attributes, value }) => [attributes[ATTR.provider], value])).toEqual([
        ['verifynow', 3],
        ['verihubs', 0],
        ['other', 1],
      ]);
      expect(await h.points(METRICS.upstreamBreakerState.name)).toContainEqual(
        expect.objectContaining({ attributes: { [ATTR.provider]: 'verifynow' }, value: 0 }),
      );

      // One reading per collection, for both gauges.
      expect(source).toHaveBeenCalledTimes(3);

      // The SDK keeps reporting the last cumulative values; the source is no longer read.
      h.telemetry.shutdown();
      await h.collect();
      expect(source).toHaveBeenCalledTimes(3);
    });

    it('skips a collection whose source fails', async () => {
      const h = harness();
      h.telemetry.observeUpstreams(() => {
        throw new Error('not ready');
      });
      expect(await h.points(METRICS.upstreamQueueSize.name)).toEqual([]);
    });
  });

  it('exports no phone number, code or verification id anywhere', async () => {
    const h = harness();
    const leaky = { ...base, phone: '+6281234567890', verificationId: '9182736455' };
    for (const { event } of cases) h.telemetry.record({ ...event, ...leaky });
    h.telemetry.record({
      ...leaky,
      name: VERIFYNOW_EVENTS.otpDelivered,
      status: 1,
      deliveryLatencyMs: 3_000,
    });
    h.telemetry.record({
      ...leaky,
      name: VERIFYNOW_EVENTS.stepUpRefused,
      code: 'code 482913 was wrong for +6281234567890',
    });
    h.telemetry.observeUpstreams(() => [{ provider: 'verifynow', breaker: 'closed', queued: 0 }]);
    await h.telemetry.traceUpstream(sendCall, () => Promise.resolve('482913'));
    await h.telemetry
      .traceUpstream(sendCall, () => Promise.reject(upstreamError()))
      .catch(() => {});

    const exported = await everythingExported(h);
    expect(exported.length).toBeGreaterThan(50);
    expect(exported.filter((text) => /\d{6,}|\+\d/.test(text))).toEqual([]);
    expect(exported.filter((text) => /phone|verification/i.test(text))).toEqual([]);
  });

  describe('without @opentelemetry/api', () => {
    it('hands back the call itself and ignores events', async () => {
      const telemetry = new VerifyNowTelemetry(undefined);
      const answer = Promise.resolve('answer');

      expect(telemetry.traceUpstream(sendCall, () => answer)).toBe(answer);
      await expect(answer).resolves.toBe('answer');
      expect(() => telemetry.record(cases[0].event)).not.toThrow();
      const source = jest.fn(() => []);
      telemetry.observeUpstreams(source);
      telemetry.shutdown();
      expect(source).not.toHaveBeenCalled();
    });

    it('is what create() makes when the API cannot be loaded', () => {
      jest.isolateModules(() => {
        jest.doMock('@opentelemetry/api', () => {
          throw new Error("Cannot find module '@opentelemetry/api'");
        });
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const loader = require('./otel-api.loader') as { loadOtelApi: typeof loadOtelApi };
        expect(loader.loadOtelApi()).toBeUndefined();
      });
      jest.dontMock('@opentelemetry/api');
    });
  });

  describe('create()', () => {
    afterEach(() => {
      api.metrics.disable();
      api.trace.disable();
    });

    it('uses the global API, a no-op until the application registers an SDK', async () => {
      const noSdk = VerifyNowTelemetry.create();
      await expect(noSdk.traceUpstream(sendCall, () => Promise.resolve(7))).resolves.toBe(7);
      expect(() => noSdk.record(cases[0].event)).not.toThrow();

      const reader = new CollectingReader();
      api.metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
      const telemetry = VerifyNowTelemetry.create();
      telemetry.record(cases[0].event);

      const { resourceMetrics } = await reader.collect();
      const [scope] = resourceMetrics.scopeMetrics;
      const { version } = jest.requireActual<{ version: string }>('../../package.json');
      expect(scope.scope).toMatchObject({ name: TELEMETRY_SCOPE, version });
      expect(scope.metrics[0].dataPointType).toBe(DataPointType.SUM);
      expect(scope.metrics[0].descriptor.name).toBe(METRICS.otpSends.name);
    });
  });
});

function harnessApi(): OtelApi {
  return {
    metrics: new MeterProvider(),
    trace: new BasicTracerProvider(),
    SpanKind: api.SpanKind,
    SpanStatusCode: api.SpanStatusCode,
  };
}
