import type { OtelTraceSource, OtelTracer } from './otel-api.loader';

/** What `@opentelemetry/api`'s global provider offers to find the SDK's tracer. */
interface TracerDelegator {
  getDelegateTracer(name: string, version?: string): OtelTracer | undefined;
}

/**
 * The tracer the module's spans go to, or `undefined` while the application
 * has registered no tracing SDK: then the module makes no span at all, not
 * even the API's no-op one, and costs nothing for tracing. The SDK may be
 * registered after the module boots; its tracer is found on the first call
 * after that, and kept, as `@opentelemetry/api`'s own proxy tracer does.
 *
 * @internal
 */
export function tracerSource(
  trace: OtelTraceSource,
  name: string,
  version: string | undefined,
): () => OtelTracer | undefined {
  const provider = trace.getTracerProvider?.();
  if (!isDelegator(provider)) {
    // A provider given directly, or an API of another shape: its tracer as it is.
    const tracer = trace.getTracer(name, version);
    return () => tracer;
  }
  let found: OtelTracer | undefined;
  return () => (found ??= provider.getDelegateTracer(name, version));
}

function isDelegator(provider: unknown): provider is TracerDelegator {
  return (
    typeof provider === 'object' &&
    provider !== null &&
    typeof (provider as Partial<TracerDelegator>).getDelegateTracer === 'function'
  );
}
