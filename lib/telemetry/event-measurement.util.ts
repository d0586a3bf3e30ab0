import { VERIFYNOW_EVENTS, type VerifyNowEvent } from '../events/verifynow.events';
import type { OtelAttributes } from './otel-api.loader';
import { knownAttributes, safeName } from './telemetry-attributes.util';
import { VERIFYNOW_ATTRIBUTES as ATTR, type VERIFYNOW_METRICS } from './telemetry.names';

/** The instruments events update: every metric but the upstream ones. @internal */
export type EventInstrument = Exclude<
  keyof typeof VERIFYNOW_METRICS,
  'upstreamDuration' | 'upstreamBreakerState' | 'upstreamQueueSize'
>;

/** One measurement an event makes: 1 on a counter, or seconds on a histogram. @internal */
export interface EventMeasurement {
  instrument: EventInstrument;
  value: number;
  attributes: OtelAttributes;
}

/**
 * The measurement `event` makes, or `undefined` for none. Attributes are
 * low-cardinality by construction: provider, channel, an outcome from a fixed
 * set, error and refusal codes. The verification id, the phone number (even
 * masked) and the purpose are never used.
 *
 * @internal
 */
export function measurementOf(event: VerifyNowEvent): EventMeasurement | undefined {
  const where = { [ATTR.provider]: event.provider, [ATTR.channel]: event.channel };
  switch (event.name) {
    case VERIFYNOW_EVENTS.otpSent:
      return count('otpSends', { ...where, [ATTR.outcome]: event.pending ? 'pending' : 'sent' });
    case VERIFYNOW_EVENTS.otpSendRefused:
      return count('otpSends', { ...where, ...refused(event.error) });
    case VERIFYNOW_EVENTS.otpSendFailed:
      return count('otpSends', {
        ...where,
        [ATTR.outcome]: 'failed',
        [ATTR.errorType]: safeName(event.error),
      });
    case VERIFYNOW_EVENTS.otpFailover:
      return count('otpFailovers', {
        [ATTR.provider]: event.provider,
        [ATTR.failoverTo]: event.to,
        [ATTR.errorType]: safeName(event.error),
      });
    case VERIFYNOW_EVENTS.otpDelivered:
    case VERIFYNOW_EVENTS.otpUndelivered:
      return deliveryTime(event.deliveryLatencyMs, {
        ...where,
        [ATTR.deliveryStatus]:
          event.name === VERIFYNOW_EVENTS.otpDelivered ? 'delivered' : 'undelivered',
      });
    case VERIFYNOW_EVENTS.otpVerified:
      return count('otpValidations', { ...where, [ATTR.outcome]: 'verified' });
    case VERIFYNOW_EVENTS.otpWrongCode:
      return count('otpValidations', { ...where, [ATTR.outcome]: 'wrong_code' });
    case VERIFYNOW_EVENTS.otpExpired:
      return count('otpValidations', { ...where, [ATTR.outcome]: 'expired' });
    case VERIFYNOW_EVENTS.otpValidationRefused:
      return count('otpValidations', { ...where, ...refused(event.error) });
    case VERIFYNOW_EVENTS.otpLocked:
      // The wrong code that locked it already counted as a validation.
      return count('otpLocks', where);
    case VERIFYNOW_EVENTS.stepUpChallenged:
      return count('stepUpDecisions', { [ATTR.outcome]: 'challenged' });
    case VERIFYNOW_EVENTS.stepUpPassed:
      return count('stepUpDecisions', { [ATTR.outcome]: 'passed' });
    case VERIFYNOW_EVENTS.stepUpRefused:
      return count('stepUpDecisions', {
        [ATTR.outcome]: 'refused',
        [ATTR.refusalCode]: safeName(event.code),
      });
    default:
      return unknownEvent(event);
  }
}

function count(
  instrument: EventInstrument,
  attributes: Record<string, string | null>,
): EventMeasurement {
  return { instrument, value: 1, attributes: knownAttributes(attributes) };
}

function refused(error: string): Record<string, string> {
  return { [ATTR.outcome]: 'refused', [ATTR.errorType]: safeName(error) };
}

function deliveryTime(
  latencyMs: number,
  attributes: Record<string, string | null>,
): EventMeasurement | undefined {
  // A report dated before its send (clock skew) is no duration; the SDK would drop it anyway.
  if (!(Number.isFinite(latencyMs) && latencyMs >= 0)) {
    return undefined;
  }
  return {
    instrument: 'otpDeliveryDuration',
    value: latencyMs / 1000,
    attributes: knownAttributes(attributes),
  };
}

/** Compile-time: every event has a case above. At run time a newer event is ignored. */
function unknownEvent(_event: never): undefined {
  return undefined;
}
