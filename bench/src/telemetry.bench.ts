/**
 * The cost of lifecycle events and OpenTelemetry: the same send + validate
 * pairs through two module instances against the minimal upstream, one with
 * telemetry on (a MeterProvider with an in-memory exporter, a tracer provider
 * with an in-memory span exporter behind the SDK's `BatchSpanProcessor` with
 * its default settings, the processor an application's `NodeSDK` sets up by
 * default, a `VerifyNowEvents` subscriber and an
 * `@OnEvent('verifynow.**')` handler through @nestjs/event-emitter) and one
 * with all of it off, in alternating rounds; the median of the rounds' paired
 * throughput ratios. A third contestant, "hand-instrumented", is the "off"
 * instance with the same SDK work done by hand around each call, as an
 * application would write it (a CLIENT span, a duration and a count), so that
 * the run tells what the SDK itself costs apart from what the module adds.
 */
import 'reflect-metadata';
import { INestApplicationContext, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import { Counter, SpanKind, metrics, trace } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { VerifyNowEvents, VerifyNowModule, VerifyNowService } from 'nestjs-verifynow';
import {
  Contestant,
  RunResult,
  inTurn,
  medians,
  pairedRatio,
  pairs,
  ratioSpread,
  resultTable,
  startChild,
} from './harness';

export interface TelemetryBenchOptions {
  calls: number;
  concurrency: number;
  rounds: number;
}

const CONTESTANTS = ['on', 'hand', 'off'] as const;
type ContestantName = (typeof CONTESTANTS)[number];
const LABELS: Record<ContestantName, string> = {
  on: 'events + telemetry on',
  hand: 'off, hand-instrumented',
  off: 'events + telemetry off',
};

export interface TelemetryBenchReport {
  results: Record<ContestantName, RunResult>;
  table: string;
  /** On ÷ off, throughput: the median of the rounds' paired ratios. */
  paired: number;
  spread: string;
  /** On ÷ hand-instrumented: what the module adds beyond the SDK's own work. */
  pairedOnHand: number;
  spreadOnHand: string;
  /** Hand-instrumented ÷ off: what the SDK's own work costs. */
  pairedHandOff: number;
  /** What the "on" instance produced, so that the run proves it measured something. */
  produced: { calls: number; events: number; spans: number; metricExports: number };
}

const PHONES = Array.from({ length: 1000 }, (_, i) => `99999${String(i).padStart(5, '0')}`);

let emitterEvents = 0;

@Injectable()
class CountingListener {
  @OnEvent('verifynow.**')
  count(): void {
    emitterEvents += 1;
  }
}

/**
 * What an application would write to get the same signals by hand around a
 * service call: one CLIENT span, one duration and one count per call, through
 * the same SDK the module reports to.
 */
function handInstrumentation(): <T>(
  operation: 'send' | 'validate',
  call: () => Promise<T>,
) => Promise<T> {
  const scope = 'bench-hand-instrumented';
  const tracer = trace.getTracer(scope);
  const meter = metrics.getMeter(scope);
  const duration = meter.createHistogram('bench.upstream.duration', { unit: 's' });
  const counters: Record<'send' | 'validate', Counter> = {
    send: meter.createCounter('bench.otp.sends'),
    validate: meter.createCounter('bench.otp.validations'),
  };
  return (operation, call) =>
    tracer.startActiveSpan(
      `verifynow ${operation}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'verifynow.provider': 'verifynow',
          'verifynow.operation': operation,
          'verifynow.channel': 'SMS',
        },
      },
      async (span) => {
        const started = performance.now();
        try {
          const result = await call();
          span.setAttribute('verifynow.outcome', 'ok');
          duration.record((performance.now() - started) / 1000, {
            'verifynow.provider': 'verifynow',
            'verifynow.operation': operation,
            'verifynow.outcome': 'ok',
          });
          counters[operation].add(1, {
            'verifynow.provider': 'verifynow',
            'verifynow.channel': 'SMS',
            'verifynow.outcome': operation === 'send' ? 'sent' : 'verified',
          });
          return result;
        } finally {
          span.end();
        }
      },
    );
}

async function startModule(baseUrl: string, telemetry: boolean): Promise<INestApplicationContext> {
  const verifyNow = VerifyNowModule.forRoot({
    customerId: 'C-BENCH',
    password: 'bench-password',
    baseUrl,
    maxRequestsPerSecond: 0,
    limits: false,
    telemetry,
  });
  @Module({
    imports: telemetry ? [EventEmitterModule.forRoot({ wildcard: true }), verifyNow] : [verifyNow],
    providers: telemetry ? [CountingListener] : [],
  })
  class BenchModule {}
  return NestFactory.createApplicationContext(BenchModule, { logger: ['error', 'warn'] });
}

export async function runTelemetryBench(
  options: TelemetryBenchOptions,
): Promise<TelemetryBenchReport> {
  // The SDK first: the module takes its meter when it boots.
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 1000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(spans)],
  });
  metrics.setGlobalMeterProvider(meterProvider);
  trace.setGlobalTracerProvider(tracerProvider);
  const { child, first } = await startChild<{ port: number }>('upstream.js');
  const baseUrl = `http://127.0.0.1:${first.port}`;
  let subscribed = 0;
  let spanCount = 0;
  let metricExports = 0;
  try {
    const on = await startModule(baseUrl, true);
    const off = await startModule(baseUrl, false);
    on.get(VerifyNowEvents).subscribe(() => {
      subscribed += 1;
    });
    const contestant = (
      name: ContestantName,
      app: INestApplicationContext,
      around: <T>(operation: 'send' | 'validate', call: () => Promise<T>) => Promise<T> = (
        _,
        call,
      ) => call(),
    ): Contestant => {
      const service = app.get(VerifyNowService);
      return pairs(
        name,
        PHONES,
        async (mobile) =>
          (await around('send', () => service.sendOtp({ countryCode: '91', mobileNumber: mobile })))
            .verificationId,
        (verificationId) =>
          around('validate', () => service.validateOtp({ verificationId, code: '123456' })),
      );
    };
    const run: Record<ContestantName, Contestant> = {
      on: contestant('on', on),
      hand: contestant('hand', off, handInstrumentation()),
      off: contestant('off', off),
    };
    const pairCount = options.calls / 2;
    const warmups: Record<ContestantName, RunResult[]> = { on: [], hand: [], off: [] };
    for (const name of CONTESTANTS) {
      warmups[name].push(await run[name](Math.min(2000, pairCount), options.concurrency));
    }
    const runs: Record<ContestantName, RunResult[]> = { on: [], hand: [], off: [] };
    for (let round = 0; round < options.rounds; round += 1) {
      for (const name of inTurn([...CONTESTANTS], round)) {
        runs[name].push(await run[name](pairCount, options.concurrency));
      }
      // Kept spans would grow the heap round after round: count them and let go.
      await tracerProvider.forceFlush();
      spanCount += spans
        .getFinishedSpans()
        .filter((span) => span.instrumentationScope.name === 'nestjs-verifynow').length;
      spans.reset();
      metricExports += metricExporter.getMetrics().length;
      metricExporter.reset();
    }
    await on.close();
    await off.close();
    const results = medians(runs);
    return {
      results,
      table: resultTable(LABELS, results, 'on', true),
      paired: pairedRatio(runs.on, runs.off),
      spread: ratioSpread(runs.on, runs.off),
      pairedOnHand: pairedRatio(runs.on, runs.hand),
      spreadOnHand: ratioSpread(runs.on, runs.hand),
      pairedHandOff: pairedRatio(runs.hand, runs.off),
      produced: {
        calls: [...warmups.on, ...runs.on].reduce((sum, r) => sum + r.calls, 0),
        events: Math.min(subscribed, emitterEvents),
        spans: spanCount,
        metricExports,
      },
    };
  } finally {
    child.kill();
    await meterProvider.shutdown();
    await tracerProvider.shutdown();
    metrics.disable();
    trace.disable();
  }
}
