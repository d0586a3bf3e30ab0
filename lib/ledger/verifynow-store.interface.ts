/**
 * Where a verification stands in the ledger:
 * - `'open'`: a code went out; nobody has proven it yet.
 * - `'verified'`: the upstream confirmed the code, but no action used it (the
 *   request was refused after the guard, by input validation say): the same
 *   code passes once more, checked against the ledger's digest, without asking
 *   the upstream again.
 * - `'consumed'`: used; it proves nothing any more.
 */
export type VerificationState = 'open' | 'verified' | 'consumed';

/** What the ledger knows of one verification this application sent. */
export interface VerificationRecord {
  verificationId: string;
  /** SHA-256 (hex) of the E.164 number the code went to: the ledger holds no phone numbers. */
  subject: string;
  /** What the code was asked for (e.g. `'POST /account/transfer'`), or `null`. */
  purpose: string | null;
  /**
   * True when `@RequireOtp()` (or `VerifyNowStepUpService.challenge()`) sent it:
   * only the step-up service then validates it, never `validateOtp()`.
   */
  stepUp: boolean;
  /** The provider that sent it (`'verifynow'` when absent), which alone can check its code. */
  provider?: string;
  /** The channel the code went through, e.g. `'SMS'`, for events and metrics. */
  channel?: string;
  /** The number, masked (`+91******9999`), for events: never the number itself. */
  maskedPhone?: string;
  /**
   * What that provider needs to check the code: opaque to stores. The ledger
   * seals it (AES-256-GCM) for every store but the in-memory one.
   */
  providerData?: string;
  /** Delivery reports from the provider's callbacks, in the order they came; each status once. */
  delivery?: readonly DeliveryReport[];
  /** When it was sent, in milliseconds since the epoch. */
  issuedAt: number;
  /** Wrong codes tried against it. */
  failedAttempts: number;
  /** True once the upstream locked it: it proves nothing any more. */
  locked?: boolean;
  /** `'consumed'` once a code was accepted and used: a verification proves one action only. */
  state: VerificationState;
}

/** A provider's delivery report: its status number, and when it came (ms since the epoch). */
export interface DeliveryReport {
  status: number;
  at: number;
}

/** What became of a delivery report: kept, a replay of one kept before, or for no verification. */
export type DeliveryOutcome = 'added' | 'replayed' | 'unknown';

/** A send to record. */
export interface VerificationEntry {
  verificationId: string;
  subject: string;
  purpose: string | null;
  /** @defaultValue false */
  stepUp?: boolean;
  /** The provider that sent it; stores keep it as given. */
  provider?: string;
  /** The channel the code went through; stores keep it as given. */
  channel?: string;
  /** The number, masked; stores keep it as given. */
  maskedPhone?: string;
  /** Data the provider needs to check the code (sealed, but in memory); stores keep it as given. */
  providerData?: string;
  issuedAt: number;
}

/** The outcome of {@link (VerifyNowStore:interface).claim}. */
export type VerificationClaim =
  /**
   * This caller alone may validate now; settle with the token. `state` says
   * whether the upstream must still be asked (`'open'`) or already confirmed
   * the code whose `codeDigest` is kept (`'verified'`).
   */
  | { status: 'claimed'; token: string; state?: 'open' | 'verified'; codeDigest?: string }
  /** No such verification in the ledger (never sent by this application, or expired). */
  | { status: 'missing' }
  /** A code was already accepted for it. */
  | { status: 'consumed' }
  /** Another caller is validating it right now. */
  | { status: 'busy' }
  /** It has had the maximum of wrong codes. */
  | { status: 'locked' };

/** How a claimed validation ended. */
export type VerificationOutcome =
  /** The code was confirmed: the verification is used up (`'consumed'`). */
  | 'verified'
  /** The upstream refused the code: one more failed try. */
  | 'failed'
  /**
   * The upstream locked the verification (too many tries on its side): one more
   * failed try, and no claim succeeds any more (`claim` answers `'locked'`).
   * Stores of your own should do the same; one that ignores it still refuses
   * nothing wrongly: the upstream answers 800 to every later try.
   */
  | 'locked'
  /** Nothing was learnt (the upstream could not be reached): back to open. */
  | 'released';

/**
 * The verification ledger: what this application sent, for whom and why, and how
 * each verification was used. `@RequireOtp()` trusts a proof only if the ledger
 * has it. Implementations must make `claim` atomic across every instance that
 * shares the store, so that one proof is never accepted twice.
 *
 * The in-memory store serves one instance; `RedisVerifyNowStore` serves many.
 */
export interface VerifyNowStore {
  /**
   * Records a send. A verification already recorded is left exactly as it is:
   * a later send never rebinds it to another purpose or subject.
   */
  record(entry: VerificationEntry, ttlMs: number): Promise<void>;

  /** The record of a verification, or `undefined`. */
  get(verificationId: string): Promise<VerificationRecord | undefined>;

  /**
   * Atomically takes the right to validate a verification for `leaseMs`: open,
   * not consumed, fewer than `maxFailedAttempts` wrong codes and no live claim.
   */
  claim(
    verificationId: string,
    leaseMs: number,
    maxFailedAttempts: number,
  ): Promise<VerificationClaim>;

  /**
   * Ends a claim with what the upstream said. `'verified'` marks the
   * verification consumed by this claim (`token`) and keeps `codeDigest`, so
   * that {@link (VerifyNowStore:interface).restore} can undo it.
   */
  settle(
    verificationId: string,
    token: string,
    outcome: VerificationOutcome,
    codeDigest?: string,
  ): Promise<void>;

  /**
   * Undoes a consumption whose action never ran (consumed → verified), when the
   * claim `token` consumed it. A store without it leaves such proofs spent.
   */
  restore?(verificationId: string, token: string): Promise<void>;

  /**
   * Adds a delivery report to a verification, unless one with the same `status`
   * is there already (a replay). A store without it ignores delivery callbacks.
   *
   * @returns `'unknown'` when there is no such verification.
   */
  addDelivery?(verificationId: string, report: DeliveryReport): Promise<DeliveryOutcome>;

  /**
   * Fails when the store cannot be written now; checked before a code goes out,
   * so that no code is sent that the ledger could not record.
   */
  ping?(): Promise<void>;
}

/** Injection token of the {@link (VerifyNowStore:interface)} (the interface and the token share a name). */
export const VerifyNowStore = Symbol('VERIFYNOW:STORE');
