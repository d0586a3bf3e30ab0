import { randomInt, randomUUID } from 'node:crypto';
import { randomDigits, sameCode } from '../../../sandbox/sandbox.codes';
import { VerifyNowResponseCode } from '../verifynow.response-codes';
import { whitelabelReply } from '../../../sandbox/sandbox.replies';
import { MagicSendOutcome, magicOutcome } from './verifynow-sandbox.magic-numbers';
import {
  CheckedSend,
  VerifyNowSendParameters,
  VerifyNowValidateParameters,
  checkSend,
  checkValidate,
} from './verifynow-sandbox.parameters';
import { VerifyNowReply, answer, business, codeMessage } from './verifynow-sandbox.replies';
import { VerifyNowSandboxTokens } from './verifynow-sandbox.tokens';
import { VerifyNowSandboxMessage, VerifyNowSandboxOptions } from './verifynow-sandbox.types';

interface Verification {
  id: string;
  customerId: string;
  phoneNumber: string;
  mobileNumber: string;
  code: string;
  expiresAt: number;
  attempts: number;
  verified: boolean;
  transactionId: string;
  /** A magic number's fixed validation outcome. */
  outcome?: MagicSendOutcome;
}

/** Finished verifications are kept this long after expiry, to answer 705/703 instead of 505. */
const RETENTION_MS = 10 * 60_000;
const SWEEP_INTERVAL_MS = 30_000;

/**
 * VerifyNow's fake API without sockets: tokens, verifications, one pending code
 * per number (506), attempts, expiry, the retention sweep and the magic
 * numbers' outcomes. Each endpoint's logic takes the query parameters of an
 * authenticated caller and returns the upstream's answer as data; the route
 * table (`verifynow-sandbox.routes.ts`) does HTTP's part.
 *
 * @internal
 */
export class VerifyNowSandboxState {
  /** The token endpoint's credentials, issued tokens and revocation. */
  readonly tokens: VerifyNowSandboxTokens;
  private readonly verifications = new Map<string, Verification>();
  private readonly pendingByPhone = new Map<string, string>();
  private readonly now: () => number;
  private nextId = 100_000 + randomInt(800_000);
  private lastSweep = 0;

  /** @param deliver Receives each code "sent", as an SMS would. */
  constructor(
    private readonly options: VerifyNowSandboxOptions = {},
    private readonly deliver: (message: VerifyNowSandboxMessage) => void = () => {},
  ) {
    this.now = options.now ?? Date.now;
    this.tokens = new VerifyNowSandboxTokens(options, this.now);
  }

  /** Sends a code for `customerId`, or answers why not (400, 511, 506, a magic outcome). */
  send(customerId: string, parameters: VerifyNowSendParameters): VerifyNowReply {
    const checked = checkSend(parameters);
    if ('status' in checked) {
      return checked;
    }
    const fullNumber = checked.countryCode + checked.mobileNumber;
    const outcome = magicOutcome(fullNumber);
    const refusal = magicSendReply(outcome);
    if (refusal !== undefined) {
      return refusal;
    }
    const now = this.now();
    this.sweep(now);
    const pending = this.pendingVerification(`+${fullNumber}`, now);
    return pending === undefined
      ? this.createVerification(customerId, checked, outcome, now)
      : pendingReply(pending, checked.mobileNumber, now);
  }

  /**
   * Checks a code for `customerId`: success, or 400, 505, 703, 705, 800, 702
   * (or a magic number's fixed outcome).
   */
  validate(customerId: string, parameters: VerifyNowValidateParameters): VerifyNowReply {
    const checked = checkValidate(parameters);
    if ('status' in checked) {
      return checked;
    }
    const { verificationId, code } = checked;
    const verification = this.verifications.get(verificationId);
    if (!verification || verification.customerId !== customerId) {
      return business(VerifyNowResponseCode.INVALID_VERIFICATION_ID);
    }
    const outcome = verification.outcome;
    if (outcome?.kind === 'validate-json') {
      return business(outcome.responseCode);
    }
    if (outcome?.kind === 'validate-html') {
      return whitelabelReply(outcome.httpStatus);
    }
    if (verification.verified) {
      return business(VerifyNowResponseCode.ALREADY_VERIFIED);
    }
    if (this.now() >= verification.expiresAt) {
      this.release(verification);
      return business(VerifyNowResponseCode.VERIFICATION_EXPIRED);
    }
    if (verification.attempts >= (this.options.maxAttempts ?? 5)) {
      return business(VerifyNowResponseCode.MAXIMUM_LIMIT_REACHED);
    }
    if (!sameCode(code, verification.code)) {
      verification.attempts += 1;
      return business(VerifyNowResponseCode.WRONG_OTP_PROVIDED);
    }
    verification.verified = true;
    this.release(verification);
    return answer(200, VerifyNowResponseCode.SUCCESS, 'SUCCESS', {
      verficationId: verification.id,
      mobileNumber: verification.mobileNumber,
      responseCode: '200',
      errorMessage: null,
      verificationStatus: 'VERIFICATION_COMPLETED',
      authToken: null,
      transactionId: verification.transactionId,
    });
  }

  /** Forgets every verification; tokens stay valid. */
  reset(): void {
    this.verifications.clear();
    this.pendingByPhone.clear();
  }

  /** Starts a verification, "texts" its code and answers the send's success. */
  private createVerification(
    customerId: string,
    { countryCode, mobileNumber, flowType, otpLength }: CheckedSend,
    outcome: MagicSendOutcome | undefined,
    now: number,
  ): VerifyNowReply {
    const phoneNumber = `+${countryCode}${mobileNumber}`;
    const ttlSeconds = this.options.codeTtlSeconds ?? 60;
    const verification: Verification = {
      id: String(this.nextId++),
      customerId,
      phoneNumber,
      mobileNumber,
      code: this.options.code ?? randomDigits(otpLength),
      expiresAt: now + ttlSeconds * 1000,
      attempts: 0,
      verified: false,
      transactionId: randomUUID(),
      outcome,
    };
    this.verifications.set(verification.id, verification);
    this.pendingByPhone.set(phoneNumber, verification.id);
    this.deliver({
      verificationId: verification.id,
      countryCode,
      mobileNumber,
      phoneNumber,
      code: verification.code,
      flowType,
      sentAt: new Date(now).toISOString(),
    });
    const accepted = outcome?.kind === 'accept' ? outcome : undefined;
    return answer(
      accepted?.httpStatus ?? 200,
      VerifyNowResponseCode.SUCCESS,
      accepted?.message ?? 'SUCCESS',
      {
        verificationId: verification.id,
        mobileNumber,
        responseCode: '200',
        errorMessage: null,
        timeout: String(ttlSeconds),
        smCLI: null,
        transactionId: verification.transactionId,
      },
    );
  }

  private pendingVerification(phoneNumber: string, now: number): Verification | undefined {
    const id = this.pendingByPhone.get(phoneNumber);
    const verification = id === undefined ? undefined : this.verifications.get(id);
    if (verification && !verification.verified && now < verification.expiresAt) {
      return verification;
    }
    return undefined;
  }

  private release(verification: Verification): void {
    if (this.pendingByPhone.get(verification.phoneNumber) === verification.id) {
      this.pendingByPhone.delete(verification.phoneNumber);
    }
  }

  /** Drops verifications long past their expiry, at most every 30 s, without a timer. */
  private sweep(now: number): void {
    if (now - this.lastSweep < SWEEP_INTERVAL_MS) {
      return;
    }
    this.lastSweep = now;
    for (const [id, verification] of this.verifications) {
      if (now - verification.expiresAt > RETENTION_MS) {
        this.verifications.delete(id);
        this.release(verification);
      }
    }
  }
}

/** The answer a magic number gives a send at once, if it gives one. */
function magicSendReply(outcome: MagicSendOutcome | undefined): VerifyNowReply | undefined {
  if (outcome?.kind === 'send-html') {
    return whitelabelReply(outcome.httpStatus);
  }
  if (outcome?.kind !== 'send-json') {
    return undefined;
  }
  const headers =
    outcome.retryAfter === undefined ? undefined : { 'Retry-After': String(outcome.retryAfter) };
  const message = outcome.message ?? codeMessage(outcome.responseCode);
  return answer(outcome.httpStatus, outcome.responseCode, message, null, headers);
}

/** 506 REQUEST_ALREADY_EXISTS, with the pending verification's id and the seconds it has left. */
function pendingReply(pending: Verification, mobileNumber: string, now: number): VerifyNowReply {
  return business(VerifyNowResponseCode.REQUEST_ALREADY_EXISTS, undefined, {
    verificationId: pending.id,
    mobileNumber,
    responseCode: String(VerifyNowResponseCode.REQUEST_ALREADY_EXISTS),
    errorMessage: 'REQUEST_ALREADY_EXISTS',
    timeout: String(Math.max(0, Math.ceil((pending.expiresAt - now) / 1000))),
    smCLI: null,
    transactionId: pending.transactionId,
  });
}
