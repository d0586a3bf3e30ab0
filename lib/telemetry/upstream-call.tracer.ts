import type { Measure } from './verifynow.instruments';
import type { OtelApi, OtelAttributes, OtelSpan, OtelTracer } from './otel-api.loader';
import { AttributeSets } from './attribute-sets';
import { errorAttributes } from './telemetry-attributes.util';
import { VERIFYNOW_ATTRIBUTES as ATTR, upstreamSpanName } from './telemetry.names';

/** One call to an upstream, as its span and its duration name it. @internal */
export interface UpstreamCall {
  provider: string;
  operation: 'send' | 'validate';
  channel?: string;
}

/** An upstream call's span attributes, built once per provider, operation and channel. */
const SPAN_ATTRIBUTES = new AttributeSets([ATTR.provider, ATTR.operation, ATTR.channel]);
/** Its duration's, once per provider, operation, outcome and error type. */
const DURATION_ATTRIBUTES = new AttributeSets([
  ATTR.provider,
  ATTR.operation,
  ATTR.outcome,
  ATTR.errorType,
]);

/**
 * Each upstream call's CLIENT span and duration. Telemetry never fails the
 * call it observes: its own errors are swallowed, the call's are rethrown
 * unchanged.
 *
 * @internal
 */
export class UpstreamCallTracer {
  private readonly clientKind: number;
  private readonly errorStatus: number;

  /**
   * @param api - for the span kind and status code values.
   * @param tracer - the SDK's tracer, or `undefined` while there is none: then no span is made.
   * @param duration - records each call's duration, in seconds.
   */
  constructor(
    api: Pick<OtelApi, 'SpanKind' | 'SpanStatusCode'>,
    private readonly tracer: () => OtelTracer | undefined,
    private readonly duration: Measure,
  ) {
    this.clientKind = api.SpanKind.CLIENT;
    this.errorStatus = api.SpanStatusCode.ERROR;
  }

  /**
   * Runs one upstream call inside a CLIENT span, made active so that HTTP
   * instrumentation nests under it, and records its duration. A failure sets
   * the span's status and `error.type` from the error's `codeName`; the error
   * itself is never recorded (its message and stack may quote the upstream).
   */
  trace<T>(call: UpstreamCall, run: () => Promise<T>): Promise<T> {
    const tracer = this.tracer();
    return tracer === undefined
      ? this.measured(call, run, undefined)
      : this.traced(tracer, call, run);
  }

  private traced<T>(tracer: OtelTracer, call: UpstreamCall, run: () => Promise<T>): Promise<T> {
    const attributes = SPAN_ATTRIBUTES.of(call.provider, call.operation, call.channel);
    let running = false;
    try {
      return tracer.startActiveSpan(
        upstreamSpanName(call.operation),
        { kind: this.clientKind, attributes },
        (span: OtelSpan): Promise<T> => {
          running = true;
          return this.measured(call, run, span);
        },
      );
    } catch (error) {
      // A tracer that failed before the call began must not keep it from running.
      if (running) {
        throw error;
      }
      return run();
    }
  }

  /** Runs the call and, once it settles, records it with its outcome. */
  private measured<T>(
    call: UpstreamCall,
    run: () => Promise<T>,
    span: OtelSpan | undefined,
  ): Promise<T> {
    const started = performance.now();
    let calling: Promise<T>;
    try {
      calling = run();
    } catch (error) {
      this.ended(span, call, started, { error });
      // The call's own error, unchanged, as an async call would have rejected with it.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      return Promise.reject(error);
    }
    return calling.then(
      (result) => {
        this.ended(span, call, started, undefined);
        return result;
      },
      (error: unknown) => {
        this.ended(span, call, started, { error });
        throw error;
      },
    );
  }

  /** Records the call's duration, and ends `span` (if any) once, with the call's outcome. */
  private ended(
    span: OtelSpan | undefined,
    call: UpstreamCall,
    started: number,
    failure: { error: unknown } | undefined,
  ): void {
    const failed = failure === undefined ? undefined : failureAttributes(failure.error);
    try {
      this.duration(
        (performance.now() - started) / 1000,
        DURATION_ATTRIBUTES.of(
          call.provider,
          call.operation,
          failed === undefined ? 'ok' : 'error',
          failed?.[ATTR.errorType],
        ),
      );
    } catch {
      // The call's own result matters more than its telemetry.
    }
    if (span !== undefined) {
      this.endSpan(span, failed);
    }
  }

  /** Sets the outcome on `span`, and `error.type`, codes and status if the call failed; ends it. */
  private endSpan(span: OtelSpan, failed: OtelAttributes | undefined): void {
    try {
      span.setAttribute(ATTR.outcome, failed === undefined ? 'ok' : 'error');
      if (failed !== undefined) {
        for (const [key, value] of Object.entries(failed)) {
          span.setAttribute(key, value);
        }
        span.setStatus({ code: this.errorStatus, message: String(failed[ATTR.errorType]) });
      }
    } catch {
      // A span that fails must not fail the call it describes.
    }
    try {
      span.end();
    } catch {
      // Likewise.
    }
  }
}

/** What a failed call tells its span and duration; `_OTHER` for an error that cannot be read. */
function failureAttributes(error: unknown): OtelAttributes {
  try {
    return errorAttributes(error);
  } catch {
    return { [ATTR.errorType]: '_OTHER' };
  }
}
