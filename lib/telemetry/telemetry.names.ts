/**
 * Every name the module's OpenTelemetry signals use, in one place so that the
 * code, its specs and the README agree. They follow OpenTelemetry's naming
 * guidance: dot-separated namespaces under `verifynow`, snake_case words,
 * counters of things pluralised with a `{thing}` unit, durations in seconds as
 * histograms, no `_total` (a Prometheus exporter adds it).
 *
 * @internal
 */
export const TELEMETRY_SCOPE = 'nestjs-verifynow';

/** Metric names, units (UCUM) and descriptions. @internal */
export const VERIFYNOW_METRICS = {
  otpSends: {
    name: 'verifynow.otp.sends',
    unit: '{send}',
    description: 'OTP sends, by outcome: sent, pending (a live code handed back), refused, failed.',
  },
  otpValidations: {
    name: 'verifynow.otp.validations',
    unit: '{validation}',
    description: 'OTP validations, by outcome: verified, wrong_code, expired, refused.',
  },
  otpLocks: {
    name: 'verifynow.otp.locks',
    unit: '{verification}',
    description: 'Verifications locked by too many wrong codes.',
  },
  otpFailovers: {
    name: 'verifynow.otp.failovers',
    unit: '{failover}',
    description: 'Sends moved to the next provider after one certainly sent nothing.',
  },
  stepUpDecisions: {
    name: 'verifynow.step_up.decisions',
    unit: '{decision}',
    description: 'Step-up decisions on protected actions: challenged, passed, refused.',
  },
  otpDeliveryDuration: {
    name: 'verifynow.otp.delivery.duration',
    unit: 's',
    description: "Time from a send to the provider's delivery report.",
  },
  upstreamDuration: {
    name: 'verifynow.upstream.duration',
    unit: 's',
    description: 'Duration of calls to an OTP provider, resilience policy included.',
  },
  upstreamBreakerState: {
    name: 'verifynow.upstream.breaker.state',
    unit: '1',
    description: "State of a provider's circuit breaker: 0 closed, 1 half-open, 2 open.",
  },
  upstreamQueueSize: {
    name: 'verifynow.upstream.queue.size',
    unit: '{request}',
    description: "Requests waiting for a provider's outbound rate cap.",
  },
} as const;

/** Attribute keys; `error.type` and `http.response.status_code` are OTel's own. @internal */
export const VERIFYNOW_ATTRIBUTES = {
  provider: 'verifynow.provider',
  channel: 'verifynow.channel',
  outcome: 'verifynow.outcome',
  operation: 'verifynow.operation',
  failoverTo: 'verifynow.failover.to',
  refusalCode: 'verifynow.refusal_code',
  deliveryStatus: 'verifynow.delivery.status',
  responseCode: 'verifynow.response_code',
  errorType: 'error.type',
  httpStatusCode: 'http.response.status_code',
} as const;

/**
 * The span around one upstream call, named `verifynow send` or `verifynow validate`:
 * low-cardinality, the provider being an attribute.
 *
 * @internal
 */
export function upstreamSpanName(operation: 'send' | 'validate'): string {
  return `verifynow ${operation}`;
}

/**
 * Breaker states as gauge values. Ordered by how much traffic gets through, so
 * that `max` over instances is the worst; `'disabled'` (no breaker) reports nothing.
 *
 * @internal
 */
export const BREAKER_STATE_VALUES = {
  closed: 0,
  'half-open': 1,
  open: 2,
} as const;

/**
 * Upstream calls take tens of milliseconds and are cut at the call's deadline
 * (30 s at most): finer buckets at the fast end, where latency targets sit.
 *
 * @internal
 */
export const UPSTREAM_DURATION_BUCKETS: readonly number[] = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 15, 20, 30,
];

/** SMS and WhatsApp delivery reports arrive seconds to minutes after the send. @internal */
export const DELIVERY_DURATION_BUCKETS: readonly number[] = [
  0.5, 1, 2, 3, 5, 10, 15, 30, 60, 120, 300, 600,
];
