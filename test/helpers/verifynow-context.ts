import { TestingModule, Test } from '@nestjs/testing';
import {
  VerifyNowModule,
  VerifyNowModuleOptions,
  VerifyNowSandbox,
  VerifyNowService,
  VerifyNowTokenProvider,
} from '../../lib';
import { VerifyNowStore } from '../../lib';
import { subjectOf } from '../../lib/ledger/ledger-subject.util';
import { VERIFYNOW_CLOCK, VerifyNowClock } from '../../lib/verifynow.internal-constants';
import { CapturingLogger } from './capturing-logger';

/** A clock tests move by hand. */
export class ManualClock implements VerifyNowClock {
  constructor(public current = Date.now()) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/** The module on its own (no HTTP app), for calling the service directly. */
export interface VerifyNowContext {
  moduleRef: TestingModule;
  service: VerifyNowService;
  tokens: VerifyNowTokenProvider;
  sandbox: VerifyNowSandbox | null;
  logger: CapturingLogger;
  close(): Promise<void>;
}

export async function createVerifyNow(
  options: VerifyNowModuleOptions,
  extra: { clock?: VerifyNowClock } = {},
): Promise<VerifyNowContext> {
  const logger = new CapturingLogger();
  let builder = Test.createTestingModule({ imports: [VerifyNowModule.forRoot(options)] }).setLogger(
    logger,
  );
  if (extra.clock) {
    builder = builder.overrideProvider(VERIFYNOW_CLOCK).useValue(extra.clock);
  }
  const moduleRef = await builder.compile();
  moduleRef.useLogger(logger);
  await moduleRef.init();
  return {
    moduleRef,
    service: moduleRef.get(VerifyNowService),
    tokens: moduleRef.get(VerifyNowTokenProvider),
    sandbox: moduleRef.get<VerifyNowSandbox | null>(VerifyNowSandbox),
    logger,
    close: () => moduleRef.close(),
  };
}

/** `count` distinct valid Indian mobile numbers, starting from `from`. */
export function phoneNumbers(count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => `+9199999${String(from + i).padStart(5, '0')}`);
}

/**
 * Records a verification in the module's ledger as if this application had
 * sent it, for specs about what the upstream answers to a validation of an id
 * it never issued (or issued elsewhere).
 */
export async function recordSent(
  context: { moduleRef: { get<T>(token: unknown): T } },
  verificationId: string,
  entry: { phoneNumber?: string; purpose?: string | null; stepUp?: boolean } = {},
): Promise<void> {
  await context.moduleRef.get<VerifyNowStore>(VerifyNowStore).record(
    {
      verificationId,
      subject: subjectOf(entry.phoneNumber ?? '+919999900001'),
      purpose: entry.purpose ?? null,
      stepUp: entry.stepUp ?? false,
      issuedAt: Date.now(),
    },
    600_000,
  );
}
