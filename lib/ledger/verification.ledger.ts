import { Inject, Injectable } from '@nestjs/common';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ResolvedVerifyNowOptions } from '../config/verifynow-options.resolver';
import { OtpStepUpException } from '../step-up/otp-step-up.exception';
import {
  AlreadyVerifiedException,
  MaximumLimitReachedException,
  VerificationFailedException,
  WrongOtpProvidedException,
  exceptionForResponseCode,
} from '../providers/verifynow/verifynow-code.exceptions';
import { VerifyNowException } from '../errors/verifynow.exception';
import { VerifyNowUnavailableException } from '../http/upstream.exceptions';
import { VERIFYNOW_CLOCK, VERIFYNOW_RESOLVED_OPTIONS } from '../verifynow.internal-constants';
import type { VerifyNowClock } from '../verifynow.internal-constants';
import { InMemoryVerifyNowStore } from './in-memory-verifynow.store';
import { seal, unseal } from './ledger-seal.util';
import {
  DeliveryOutcome,
  DeliveryReport,
  VerificationEntry,
  VerificationOutcome,
  VerificationRecord,
  VerifyNowStore,
} from './verifynow-store.interface';

/** How long a claim outlives the longest service call, should the process die holding it. */
const LEASE_MARGIN_MS = 5_000;

/** A code checked against the ledger: who may spend the verification, and what it was. */
export interface LedgerReceipt<T> {
  /** The upstream's answer; `undefined` when the ledger confirmed a code the upstream already had. */
  result: T | undefined;
  /** The claim that consumed the verification: it alone may restore it. */
  token: string;
  record: VerificationRecord;
}

/**
 * The rules of the verification ledger, over any {@link VerifyNowStore}: what
 * may be sent, recorded, validated, spent and restored. `validateOtp()` and
 * `@RequireOtp()` both go through {@link check}, so that wrong codes count
 * alike and nothing reaches the upstream for a verification the ledger refuses.
 * A store that cannot be reached refuses (503): the module fails closed.
 *
 * @internal
 */
@Injectable()
export class VerificationLedger {
  private readonly digestKey: Buffer;
  /**
   * Seals what a provider keeps in a store outside the process (Redis, or one
   * of the application's own); `undefined` for the in-memory store, where the
   * key would sit in the same heap as the data and sealing would protect nothing.
   */
  private readonly sealKey: Buffer | undefined;

  constructor(
    @Inject(VerifyNowStore) private readonly store: VerifyNowStore,
    @Inject(VERIFYNOW_RESOLVED_OPTIONS) private readonly options: ResolvedVerifyNowOptions,
    @Inject(VERIFYNOW_CLOCK) private readonly clock: VerifyNowClock,
  ) {
    // Every instance sharing a store shares the credentials, hence this key.
    const { credentials, verihubs } = options;
    const [account, secret] = credentials
      ? [
          credentials.customerId,
          credentials.type === 'key' ? credentials.key : credentials.authToken,
        ]
      : [verihubs?.appId, verihubs?.apiKey];
    this.digestKey = createHash('sha256')
      .update(`verifynow-ledger:${account ?? ''}:${secret ?? ''}`)
      .digest();
    this.sealKey =
      store instanceof InMemoryVerifyNowStore
        ? undefined
        : createHash('sha256').update('seal:').update(this.digestKey).digest();
  }

  /** Fails unless the store can be written: no code goes out that the ledger could not record. */
  ensureWritable(): Promise<void> {
    return this.fromStore(async () => this.store.ping?.(), 'the verification ledger');
  }

  /** Records a send; an id already recorded is never rebound. */
  record(entry: VerificationEntry): Promise<void> {
    const { providerData } = entry;
    const sealed =
      providerData === undefined || this.sealKey === undefined
        ? entry
        : { ...entry, providerData: seal(this.sealKey, providerData) };
    return this.fromStore(
      () => this.store.record(sealed, this.options.store.ledgerTtlMs),
      'the verification ledger',
    );
  }

  /**
   * Keeps a provider's delivery report on a verification; a replay, an unknown
   * verification or a store that keeps none changes nothing.
   */
  addDelivery(verificationId: string, report: DeliveryReport): Promise<DeliveryOutcome> {
    const store = this.store;
    return this.fromStore(
      async () => (store.addDelivery ? store.addDelivery(verificationId, report) : 'unknown'),
      'the verification ledger',
    );
  }

  /** The record, its provider's data unsealed (left out when it does not open). */
  async get(verificationId: string): Promise<VerificationRecord | undefined> {
    const record = await this.fromStore(
      () => this.store.get(verificationId),
      'the verification ledger',
    );
    if (record?.providerData === undefined || this.sealKey === undefined) {
      return record;
    }
    const { providerData, ...rest } = record;
    const opened = unseal(this.sealKey, providerData);
    return opened === undefined ? rest : { ...rest, providerData: opened };
  }

  /**
   * Validates a code under the ledger's rules: the verification must be in the
   * ledger and pass `inspect` (the caller's binding: purpose, subject, age),
   * be unused, have had fewer than `maxFailedAttempts` wrong codes, and be
   * claimed by this caller alone; then `confirm` asks the upstream (or, for a
   * verification the upstream already confirmed, the digest kept here decides).
   *
   * @throws OtpStepUpException `OTP_UNKNOWN`, `OTP_ALREADY_USED`, `OTP_IN_PROGRESS`
   *   or `OTP_TOO_MANY_ATTEMPTS`, with no upstream call; whatever `inspect` throws;
   *   the upstream's typed exceptions, counted as the code's outcome.
   */
  async check<T>(
    proof: { verificationId: string; code: string },
    inspect: (record: VerificationRecord) => void,
    confirm: (record: VerificationRecord) => Promise<T>,
  ): Promise<LedgerReceipt<T>> {
    const { verificationId } = proof;
    const { maxFailedAttempts } = this.options.guard;
    const record = await this.get(verificationId);
    if (record === undefined) {
      throw new OtpStepUpException('OTP_UNKNOWN', { reason: UNKNOWN_REASON });
    }
    inspect(record);
    if (record.state === 'consumed') {
      throw new OtpStepUpException('OTP_ALREADY_USED');
    }
    if (record.locked === true || record.failedAttempts >= maxFailedAttempts) {
      throw new OtpStepUpException('OTP_TOO_MANY_ATTEMPTS');
    }
    const claim = await this.fromStore(
      () =>
        this.store.claim(
          verificationId,
          this.options.timeoutMs + LEASE_MARGIN_MS,
          maxFailedAttempts,
        ),
      'the verification ledger',
    );
    switch (claim.status) {
      case 'claimed':
        break;
      case 'missing':
        throw new OtpStepUpException('OTP_UNKNOWN', { reason: UNKNOWN_REASON });
      case 'consumed':
        throw new OtpStepUpException('OTP_ALREADY_USED');
      case 'busy':
        throw new OtpStepUpException('OTP_IN_PROGRESS');
      case 'locked':
        throw new OtpStepUpException('OTP_TOO_MANY_ATTEMPTS');
    }
    // Kept only where a proof may come back (step-up), or checked against one that did.
    const digest = record.stepUp || claim.state === 'verified' ? this.digest(proof) : undefined;
    let outcome: VerificationOutcome = 'released';
    let confirmed = false;
    try {
      let result: T | undefined;
      if (claim.state === 'verified') {
        if (claim.codeDigest === undefined || !sameDigest(claim.codeDigest, digest as string)) {
          throw exceptionForResponseCode(702, { operation: 'validate' });
        }
      } else {
        result = await confirm(record);
      }
      outcome = 'verified';
      confirmed = true;
      return { result, token: claim.token, record };
    } catch (error) {
      outcome = outcomeOf(error);
      throw error;
    } finally {
      await this.fromStore(
        () =>
          this.store.settle(verificationId, claim.token, outcome, confirmed ? digest : undefined),
        'the verification ledger',
      );
    }
  }

  /** Gives back a verification whose action never ran: the same code passes once more. */
  restore(verificationId: string, token: string): Promise<void> {
    return this.fromStore(
      async () => this.store.restore?.(verificationId, token),
      'the verification ledger',
    );
  }

  /** Milliseconds since a verification was sent. */
  ageMs(record: VerificationRecord): number {
    return this.clock.now() - record.issuedAt;
  }

  private digest(proof: { verificationId: string; code: string }): string {
    return createHmac('sha256', this.digestKey)
      .update(`${proof.verificationId}:${proof.code}`)
      .digest('hex');
  }

  /** Runs a store call; a store that cannot be reached refuses. */
  private async fromStore<T>(call: () => Promise<T>, what: string): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof VerifyNowException) {
        throw error;
      }
      throw new VerifyNowUnavailableException(`${what} could not be reached`);
    }
  }
}

const UNKNOWN_REASON =
  'not in the ledger: not sent by this application, expired, or sent by another instance without a shared (Redis) store';

/** What an upstream answer means for the ledger's count. */
function outcomeOf(error: unknown): VerificationOutcome {
  if (error instanceof WrongOtpProvidedException || error instanceof VerificationFailedException) {
    return 'failed';
  }
  // The upstream will take no more codes for it: neither will the ledger.
  if (error instanceof MaximumLimitReachedException) {
    return 'locked';
  }
  // The upstream already completed it: it proves nothing more.
  if (error instanceof AlreadyVerifiedException) {
    return 'verified';
  }
  // Nothing was learnt about the code (upstream down, expired, unknown id).
  return 'released';
}

function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
