import { OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { VerifyNowClock } from '../verifynow.internal-constants';
import {
  DeliveryOutcome,
  DeliveryReport,
  VerificationClaim,
  VerificationEntry,
  VerificationOutcome,
  VerificationRecord,
  VerifyNowStore,
} from './verifynow-store.interface';

interface MemoryRecord extends VerificationRecord {
  expiresAt: number;
  claimToken: string | undefined;
  claimUntil: number;
  /** The claim that consumed it, which alone may restore it. */
  spentBy: string | undefined;
  codeDigest: string | undefined;
}

/** How often expired records are swept when nothing is written. */
const SWEEP_INTERVAL_MS = 30_000;

/**
 * The default ledger: one process's memory. Records expire; expired ones are
 * swept on every write and by an unreferenced timer, so memory follows the
 * number of live verifications, not the number ever sent. Not shared between
 * instances: use `RedisVerifyNowStore` when the application runs more than one.
 */
export class InMemoryVerifyNowStore implements VerifyNowStore, OnApplicationShutdown {
  /** Insertion order is expiry order when every record gets the same TTL, which sweeping relies on. */
  private readonly records = new Map<string, MemoryRecord>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly clock: VerifyNowClock = { now: () => Date.now() }) {
    this.timer = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  /** Records alive now (for tests and metrics). */
  get size(): number {
    return this.records.size;
  }

  record(entry: VerificationEntry, ttlMs: number): Promise<void> {
    const now = this.clock.now();
    this.sweep(now);
    if (!this.live(entry.verificationId, now)) {
      this.records.set(entry.verificationId, {
        verificationId: entry.verificationId,
        subject: entry.subject,
        purpose: entry.purpose,
        stepUp: entry.stepUp ?? false,
        provider: entry.provider,
        providerData: entry.providerData,
        channel: entry.channel,
        maskedPhone: entry.maskedPhone,
        issuedAt: entry.issuedAt,
        failedAttempts: 0,
        state: 'open',
        expiresAt: now + ttlMs,
        claimToken: undefined,
        claimUntil: 0,
        spentBy: undefined,
        codeDigest: undefined,
      });
    }
    return Promise.resolve();
  }

  get(verificationId: string): Promise<VerificationRecord | undefined> {
    const record = this.live(verificationId, this.clock.now());
    return Promise.resolve(
      record && {
        verificationId: record.verificationId,
        subject: record.subject,
        purpose: record.purpose,
        stepUp: record.stepUp,
        ...(record.provider === undefined ? {} : { provider: record.provider }),
        ...(record.providerData === undefined ? {} : { providerData: record.providerData }),
        ...(record.channel === undefined ? {} : { channel: record.channel }),
        ...(record.maskedPhone === undefined ? {} : { maskedPhone: record.maskedPhone }),
        ...(record.delivery === undefined ? {} : { delivery: [...record.delivery] }),
        issuedAt: record.issuedAt,
        failedAttempts: record.failedAttempts,
        ...(record.locked === true ? { locked: true } : {}),
        state: record.state,
      },
    );
  }

  addDelivery(verificationId: string, report: DeliveryReport): Promise<DeliveryOutcome> {
    const record = this.live(verificationId, this.clock.now());
    if (record === undefined) {
      return Promise.resolve('unknown');
    }
    const delivery = record.delivery ?? [];
    if (delivery.some(({ status }) => status === report.status)) {
      return Promise.resolve('replayed');
    }
    record.delivery = [...delivery, { status: report.status, at: report.at }];
    return Promise.resolve('added');
  }

  claim(
    verificationId: string,
    leaseMs: number,
    maxFailedAttempts: number,
  ): Promise<VerificationClaim> {
    const now = this.clock.now();
    const record = this.live(verificationId, now);
    let claim: VerificationClaim;
    if (!record) {
      claim = { status: 'missing' };
    } else if (record.state === 'consumed') {
      claim = { status: 'consumed' };
    } else if (record.locked === true || record.failedAttempts >= maxFailedAttempts) {
      claim = { status: 'locked' };
    } else if (record.claimToken !== undefined && record.claimUntil > now) {
      claim = { status: 'busy' };
    } else {
      record.claimToken = randomUUID();
      record.claimUntil = now + leaseMs;
      claim = {
        status: 'claimed',
        token: record.claimToken,
        state: record.state === 'verified' ? 'verified' : 'open',
        codeDigest: record.codeDigest,
      };
    }
    return Promise.resolve(claim);
  }

  settle(
    verificationId: string,
    token: string,
    outcome: VerificationOutcome,
    codeDigest?: string,
  ): Promise<void> {
    const record = this.records.get(verificationId);
    if (record) {
      // The upstream's answer holds even if the lease ran out meanwhile.
      if (outcome === 'verified') {
        record.state = 'consumed';
        record.spentBy = token;
        record.codeDigest = codeDigest ?? record.codeDigest;
      } else if (outcome === 'failed' || outcome === 'locked') {
        record.failedAttempts += 1;
        record.locked ||= outcome === 'locked';
      }
      if (record.claimToken === token) {
        record.claimToken = undefined;
        record.claimUntil = 0;
      }
    }
    return Promise.resolve();
  }

  restore(verificationId: string, token: string): Promise<void> {
    const record = this.live(verificationId, this.clock.now());
    if (record?.state === 'consumed' && record.spentBy === token) {
      record.state = 'verified';
      record.spentBy = undefined;
    }
    return Promise.resolve();
  }

  /** Memory can always be written. */
  ping(): Promise<void> {
    return Promise.resolve();
  }

  /** Stops the sweep timer and forgets everything. */
  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.records.clear();
  }

  private live(verificationId: string, now: number): MemoryRecord | undefined {
    const record = this.records.get(verificationId);
    if (record && record.expiresAt <= now) {
      this.records.delete(verificationId);
      return undefined;
    }
    return record;
  }

  /** Drops expired records from the oldest on, stopping at the first live one. */
  private sweep(now = this.clock.now()): void {
    for (const [id, record] of this.records) {
      if (record.expiresAt > now) {
        break;
      }
      this.records.delete(id);
    }
  }
}
