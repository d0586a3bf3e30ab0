/** Where a verification stands in the ledger. */
export type VerificationState = 'open' | 'consumed';

/** What the ledger knows of one verification this application sent. */
export interface VerificationRecord {
  verificationId: string;
  /** SHA-256 (hex) of the E.164 number the code went to: the ledger holds no phone numbers. */
  subject: string;
  /** What the code was asked for (e.g. `'POST /account/transfer'`), or `null`. */
  purpose: string | null;
  /** When it was sent, in milliseconds since the epoch. */
  issuedAt: number;
  /** Wrong codes tried against it. */
  failedAttempts: number;
  /** `'consumed'` once a code was accepted: a verification proves one action only. */
  state: VerificationState;
}

/** A send to record. */
export interface VerificationEntry {
  verificationId: string;
  subject: string;
  purpose: string | null;
  issuedAt: number;
}

/** The outcome of {@link VerifyNowStore.claim}. */
export type VerificationClaim =
  /** This caller alone may validate now; settle with the token. */
  | { status: 'claimed'; token: string }
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
  /** The upstream accepted the code: the verification is used up. */
  | 'verified'
  /** The upstream refused the code: one more failed try. */
  | 'failed'
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
   * Records a send. When the verification is already recorded (the upstream
   * answered 506 with a pending code), keeps its issue time and failed tries and
   * takes the new purpose.
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

  /** Ends a claim with what the upstream said. */
  settle(verificationId: string, token: string, outcome: VerificationOutcome): Promise<void>;
}

/** Injection token of the {@link VerifyNowStore} (the interface and the token share a name). */
export const VerifyNowStore = Symbol('VERIFYNOW:STORE');
