import { Attributes, metrics, trace } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';

/** A reader whose `collect()` the specs call: no timers, no exporter. */
class CollectingReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** One data point: its attributes, and its value (a histogram's count). */
export interface Reading {
  attributes: Attributes;
  value: number;
}

/** The global OpenTelemetry SDK of a spec: metrics read in memory, spans kept in memory. */
export interface OtelHarness {
  /** Every metric the meter provider holds now. */
  collect(): Promise<MetricData[]>;
  /** The data points of one metric: a counter's sum, or a histogram's count. */
  readings(name: string): Promise<Reading[]>;
  /** The spans ended so far. */
  spans(): ReadableSpan[];
  /** Unregisters the providers and shuts them down. */
  uninstall(): Promise<void>;
}

/**
 * Registers a global MeterProvider (with an in-memory reader) and a global
 * tracer provider (with an in-memory exporter), as an application's SDK setup
 * would: the module reads both through `@opentelemetry/api` when it boots, so
 * call this before creating the Nest application. No context manager is
 * registered (`@opentelemetry/context-async-hooks` is not installed): spans are
 * recorded all the same, each a root.
 */
export function installOtel(): OtelHarness {
  const reader = new CollectingReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  if (!metrics.setGlobalMeterProvider(meterProvider)) {
    throw new Error('a global MeterProvider is registered already');
  }
  if (!trace.setGlobalTracerProvider(tracerProvider)) {
    throw new Error('a global TracerProvider is registered already');
  }
  const collect = async (): Promise<MetricData[]> => {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) {
      throw new Error(`metric collection failed: ${errors.map(String).join('; ')}`);
    }
    return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
  };
  return {
    collect,
    readings: async (name) =>
      (await collect())
        .filter(({ descriptor }) => descriptor.name === name)
        .flatMap(({ dataPoints }) =>
          (dataPoints as { attributes: Attributes; value: unknown }[]).map(
            ({ attributes, value }) => ({
              attributes,
              value: typeof value === 'number' ? value : (value as { count: number }).count,
            }),
          ),
        ),
    spans: () => exporter.getFinishedSpans(),
    uninstall: async () => {
      metrics.disable();
      trace.disable();
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
    },
  };
}

/** A key for a set of attributes, the same whatever their order. */
export function attributeKey(attributes: Attributes): string {
  return JSON.stringify(Object.entries(attributes).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * What moved between two readings of a metric: each attribute set whose value
 * changed, with its change, keyed by {@link attributeKey}.
 */
export function movement(before: Reading[], after: Reading[]): Record<string, number> {
  const was = new Map(before.map(({ attributes, value }) => [attributeKey(attributes), value]));
  const moved: Record<string, number> = {};
  for (const { attributes, value } of after) {
    const key = attributeKey(attributes);
    const change = value - (was.get(key) ?? 0);
    if (change !== 0) moved[key] = change;
  }
  return moved;
}

/** The movement a test expects, in the same keys as {@link movement}. */
export function expected(entries: [Attributes, number][]): Record<string, number> {
  return Object.fromEntries(
    entries.map(([attributes, change]) => [attributeKey(attributes), change]),
  );
}
