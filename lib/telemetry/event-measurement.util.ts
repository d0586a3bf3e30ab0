import { VERIFYNOW_EVENTS, type VerifyNowEvent } from '../events/verifynow.events';
import type { OtelAttributes } from './otel-api.loader';
import { AttributeSets } from './attribute-sets';
import { safeName } from './telemetry-attributes.util';
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

// The attribute shapes measurements take, each set built once (see AttributeSets).
const WHERE = new AttributeSets([ATTR.provider, ATTR.channel]);
const OUTCOME = new AttributeSets([ATTR.provider, ATTR.channel, ATTR.outcome]);
const REFUSED = new AttributeSets([ATTR.provider, ATTR.channel, ATTR.outcome, ATTR.errorType]);
const FAILOVER = new AttributeSets([ATTR.provider, ATTR.failoverTo, ATTR.errorType]);
const DELIVERY = new AttributeSets([ATTR.provider, ATTR.channel, ATTR.deliveryStatus]);
const DECISION = new AttributeSets([ATTR.outcome, ATTR.refusalCode]);

/**
 * The measurement `event` makes, or `undefined` for none. Attributes are
 * low-cardinality by construction: provider, channel, an outcome from a fixed
 * set, error and refusal codes. The verification id, the phone number (even
 * masked) and the purpose are never used.
 *
 * @internal
 */
export function measurementOf(event: VerifyNowEvent): EventMeasurement | undefined {
  const { provider, channel } = event;
  switch (event.name) {
    case VERIFYNOW_EVENTS.otpSent:
      return count('otpSends', OUTCOME.of(provider, channel, event.pending ? 'pending' : 'sent'));
    case VERIFYNOW_EVENTS.otpSendRefused:
      return count('otpSends', REFUSED.of(provider, channel, 'refused', safeName(event.error)));
    case VERIFYNOW_EVENTS.otpSendFailed:
      return count('otpSends', REFUSED.of(provider, channel, 'failed', safeName(event.error)));
    case VERIFYNOW_EVENTS.otpFailover:
      return count('otpFailovers', FAILOVER.of(provider, event.to, safeName(event.error)));
    case VERIFYNOW_EVENTS.otpDelivered:
    case VERIFYNOW_EVENTS.otpUndelivered:
      return deliveryTime(
        event.deliveryLatencyMs,
        DELIVERY.of(
          provider,
          channel,
          event.name === VERIFYNOW_EVENTS.otpDelivered ? 'delivered' : 'undelivered',
        ),
      );
    case VERIFYNOW_EVENTS.otpVerified:
      return count('otpValidations', OUTCOME.of(provider, channel, 'verified'));
    case VERIFYNOW_EVENTS.otpWrongCode:
      return count('otpValidations', OUTCOME.of(provider, channel, 'wrong_code'));
    case VERIFYNOW_EVENTS.otpExpired:
      return count('otpValidations', OUTCOME.of(provider, channel, 'expired'));
    case VERIFYNOW_EVENTS.otpValidationRefused:
      return count(
        'otpValidations',
        REFUSED.of(provider, channel, 'refused', safeName(event.error)),
      );
    case VERIFYNOW_EVENTS.otpLocked:
      // The wrong code that locked it already counted as a validation.
      return count('otpLocks', WHERE.of(provider, channel));
    case VERIFYNOW_EVENTS.stepUpChallenged:
      return count('stepUpDecisions', DECISION.of('challenged', null));
    case VERIFYNOW_EVENTS.stepUpPassed:
      return count('stepUpDecisions', DECISION.of('passed', null));
    case VERIFYNOW_EVENTS.stepUpRefused:
      return count('stepUpDecisions', DECISION.of('refused', safeName(event.code)));
    default:
      return unknownEvent(event);
  }
}

function count(instrument: EventInstrument, attributes: OtelAttributes): EventMeasurement {
  return { instrument, value: 1, attributes };
}

function deliveryTime(latencyMs: number, attributes: OtelAttributes): EventMeasurement | undefined {
  // A report dated before its send (clock skew) is no duration; the SDK would drop it anyway.
  if (!(Number.isFinite(latencyMs) && latencyMs >= 0)) {
    return undefined;
  }
  return { instrument: 'otpDeliveryDuration', value: latencyMs / 1000, attributes };
}

/** Compile-time: every event has a case above. At run time a newer event is ignored. */
function unknownEvent(_event: never): undefined {
  return undefined;
}
