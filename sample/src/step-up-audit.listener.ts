import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type {
  StepUpChallengedEvent,
  StepUpPassedEvent,
  StepUpRefusedEvent,
} from 'nestjs-verifynow';

type StepUpDecision = StepUpChallengedEvent | StepUpPassedEvent | StepUpRefusedEvent;

/**
 * The audit trail of step-up: every decision (`challenged`, `passed`, `refused`
 * with its code) written as one JSON line on stdout, where a log shipper picks
 * it up. Events come through `@nestjs/event-emitter` after the decision: a slow
 * or failing audit never delays or changes it. They carry no code and no full
 * phone number.
 */
@Injectable()
export class StepUpAuditListener {
  @OnEvent('verifynow.step_up.*')
  write(event: StepUpDecision): void {
    const line = {
      audit: 'step-up',
      decision: event.name.slice('verifynow.step_up.'.length),
      ...('code' in event ? { code: event.code } : {}),
      at: new Date(event.at).toISOString(),
      purpose: event.purpose,
      verificationId: event.verificationId,
      phone: event.phone,
      provider: event.provider,
      latencyMs: event.latencyMs,
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}
