import { VerifyNowException } from '../errors/verifynow.exception';
import type { VerificationRecord } from '../ledger/verifynow-store.interface';
import { issuerOf } from '../ledger/ledger-issuer.util';
import type { VerifyNowFlowType } from '../interfaces/verifynow-module-options.interface';
import type { VerifyNowEventBase } from './verifynow.events';

/**
 * What the events of a verification the ledger holds share: its id, masked
 * number, provider, channel, purpose and send time, at `at`.
 *
 * @internal
 */
export function recordFacts(
  record: VerificationRecord,
  at: number,
  latencyMs: number | null = null,
): VerifyNowEventBase {
  return {
    at,
    verificationId: record.verificationId,
    phone: record.maskedPhone ?? null,
    provider: issuerOf(record),
    channel: (record.channel ?? null) as VerifyNowFlowType | null,
    purpose: record.purpose,
    stepUp: record.stepUp,
    sentAt: record.issuedAt,
    latencyMs,
  };
}

/** The facts of a call about a verification not (or not yet) read from the ledger. @internal */
export function callFacts(
  facts: Partial<VerifyNowEventBase> & Pick<VerifyNowEventBase, 'at' | 'stepUp'>,
): VerifyNowEventBase {
  return {
    verificationId: null,
    phone: null,
    provider: null,
    channel: null,
    purpose: null,
    sentAt: null,
    latencyMs: null,
    ...facts,
  };
}

/** Milliseconds since `started`, a `performance.now()` reading. @internal */
export function elapsedMs(started: number): number {
  return Math.round(performance.now() - started);
}

/** An error's stable name, e.g. `'UPSTREAM_UNAVAILABLE'`; `'UNEXPECTED'` for any other error. @internal */
export function codeOf(error: unknown): string {
  return error instanceof VerifyNowException ? error.codeName : 'UNEXPECTED';
}
