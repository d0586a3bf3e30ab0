import { Inject, Injectable } from '@nestjs/common';
import { callFacts, codeOf, elapsedMs, recordFacts } from '../events/event-facts.util';
import { announced } from '../events/step-up-refusals';
import { VerifyNowEvents } from '../events/verifynow-events.service';
import { VERIFYNOW_EVENTS, VerifyNowEventBase } from '../events/verifynow.events';
import type { VerificationRecord } from '../ledger/verifynow-store.interface';
import { VERIFYNOW_CLOCK, type VerifyNowClock } from '../verifynow.internal-constants';

/** What a step-up decision's event knows: the verification, when one was named. @internal */
export interface StepUpDecision {
  verificationId?: string;
  /** The ledger's record, when it was read. */
  record?: VerificationRecord;
  /** `performance.now()` when the decision began. */
  started?: number;
  /** The action, when the record does not say. */
  purpose?: string;
}

/**
 * Announces step-up decisions: `step_up.passed` and `step_up.refused`, each
 * refusal once, whether the proof check or the guard before it refused.
 * (`step_up.challenged` comes with the send, see `OtpSendReport`.)
 *
 * @internal
 */
@Injectable()
export class StepUpReport {
  constructor(
    private readonly events: VerifyNowEvents,
    @Inject(VERIFYNOW_CLOCK) private readonly clock: VerifyNowClock,
  ) {}

  passed(verificationId: string, record: VerificationRecord | undefined, started: number): void {
    const facts = this.facts({ verificationId, record, started });
    this.events.emit({ name: VERIFYNOW_EVENTS.stepUpPassed, ...facts });
  }

  /** Announces `error` as a refusal, unless it was announced already. */
  refused(error: unknown, decision: StepUpDecision): void {
    if (announced.has(error)) {
      return;
    }
    announced.add(error);
    const facts = this.facts(decision);
    this.events.emit({ name: VERIFYNOW_EVENTS.stepUpRefused, ...facts, code: codeOf(error) });
  }

  private facts({ verificationId, record, started, purpose }: StepUpDecision): VerifyNowEventBase {
    const at = this.clock.now();
    const latencyMs = started === undefined ? null : elapsedMs(started);
    return record === undefined
      ? callFacts({
          at,
          stepUp: true,
          verificationId: verificationId ?? null,
          purpose: purpose ?? null,
          latencyMs,
        })
      : recordFacts(record, at, latencyMs);
  }
}
