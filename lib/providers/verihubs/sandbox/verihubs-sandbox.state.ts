import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { randomDigits, sameCode } from '../../../sandbox/sandbox.codes';
import { jsonReply } from '../../../sandbox/sandbox.replies';
import {
  VERIHUBS_CALLBACK_STATUSES,
  VerihubsCallbackQueue,
  VerihubsCallbackSender,
  sendVerihubsCallback,
  verihubsCallbackUrl,
} from './verihubs-sandbox.callbacks';
import { VerihubsMagicEndpoint, verihubsMagicOutcome } from './verihubs-sandbox.magic-numbers';
import {
  CheckedSend,
  VERIHUBS_DEFAULT_OTP_LENGTH,
  VerihubsFields,
  checkBody,
  checkMsisdn,
  checkSend,
  checkVerify,
} from './verihubs-sandbox.parameters';
import { renderVerihubsText, smsSegmentCount } from './verihubs-sandbox.render';
import {
  VERIHUBS_MESSAGES,
  VerihubsReply,
  messageReply,
  resetReply,
} from './verihubs-sandbox.replies';
import {
  VerihubsSandboxChannel,
  VerihubsSandboxMessage,
  VerihubsSandboxOptions,
} from './verihubs-sandbox.types';

/** The most codes kept at once; beyond it the oldest sends are forgotten. @internal */
export const VERIHUBS_SANDBOX_CODE_LIMIT = 10_000;

/** Expired codes are kept this long, to answer 422 rather than 404, then swept. */
const RETENTION_MS = 10 * 60_000;
const SWEEP_INTERVAL_MS = 30_000;

/** The one code of a msisdn, challenge and channel. */
interface PendingCode {
  channel: VerihubsSandboxChannel;
  code: string;
  sessionId: string;
  expiresAt: number;
  /** Wrong codes tried so far. */
  attempts: number;
  /** Sends to this msisdn and challenge while a code of theirs was alive, this one included. */
  tryCount: number;
  callbackUrl?: string;
}

/**
 * Verihubs' fake OTP API without sockets: SMS and WhatsApp sends and verifies,
 * one code per msisdn, challenge and channel (a new send replaces it), expiry,
 * attempts, the magic numbers and the delivery callbacks. Each endpoint takes
 * the parsed JSON body and returns the provider's answer as data; the route
 * table (`verihubs-sandbox.routes.ts`) does HTTP's part.
 *
 * @internal
 */
export class VerihubsSandboxState {
  /** The delivery callbacks, made one after the other. */
  readonly callbacks: VerihubsCallbackQueue;
  private readonly codes = new Map<string, PendingCode>();
  private readonly now: () => number;
  private lastSweep = 0;

  /**
   * @param deliver Receives each code "sent", as the phone would.
   * @param sendCallback Makes each delivery callback; a real `GET` by default.
   */
  constructor(
    private readonly options: VerihubsSandboxOptions = {},
    private readonly deliver: (message: VerihubsSandboxMessage) => void = () => {},
    sendCallback: VerihubsCallbackSender = sendVerihubsCallback,
  ) {
    this.now = options.now ?? Date.now;
    this.callbacks = new VerihubsCallbackQueue(sendCallback, options.callbackDelayMs ?? 0);
  }

  /** Whether the `App-ID` and `API-Key` headers pass: the configured ones, or any non-empty. */
  authorizes(appId: string | undefined, apiKey: string | undefined): boolean {
    return sameSecret(appId, this.options.appId) && sameSecret(apiKey, this.options.apiKey);
  }

  /** Sends a code (HTTP 201), or answers why not: 400, or a magic number's outcome. */
  send(channel: VerihubsSandboxChannel, body: unknown): VerihubsReply {
    const read = readRequest('send', body);
    if ('status' in read) {
      return read;
    }
    const checked = checkSend(channel, read.fields, read.msisdn);
    return 'status' in checked ? checked : this.createCode(channel, checked);
  }

  /**
   * Checks a code: 200 when right (the code is then used up), 404 when unknown,
   * wrong or worn out by wrong attempts, 422 when expired; 400 or a magic
   * number's outcome before that.
   */
  verify(channel: VerihubsSandboxChannel, body: unknown): VerihubsReply {
    const read = readRequest('verify', body);
    if ('status' in read) {
      return read;
    }
    const checked = checkVerify(read.fields, read.msisdn);
    if ('status' in checked) {
      return checked;
    }
    const now = this.now();
    this.sweep(now);
    const key = codeKey(channel, read.msisdn, checked.challenge);
    const pending = this.codes.get(key);
    if (pending === undefined) {
      return messageReply(404, VERIHUBS_MESSAGES.notFound);
    }
    if (now >= pending.expiresAt) {
      return messageReply(422, VERIHUBS_MESSAGES.expired);
    }
    if (!sameCode(checked.otp, pending.code)) {
      pending.attempts += 1;
      if (pending.attempts >= (this.options.maxAttempts ?? 5)) {
        this.codes.delete(key);
      }
      return messageReply(404, VERIHUBS_MESSAGES.notFound);
    }
    this.codes.delete(key);
    this.callBack(pending, 'verified');
    return messageReply(200, VERIHUBS_MESSAGES.verified);
  }

  /** Forgets every code and drops the callbacks not made yet. */
  reset(): void {
    this.codes.clear();
    this.callbacks.clear();
    this.lastSweep = 0;
  }

  /** Keeps a new code (replacing the old one), "sends" it, queues its callbacks, answers 201. */
  private createCode(channel: VerihubsSandboxChannel, checked: CheckedSend): VerihubsReply {
    const now = this.now();
    this.sweep(now);
    const key = codeKey(channel, checked.msisdn, checked.challenge);
    const previous = this.codes.get(key);
    const alive = previous !== undefined && now < previous.expiresAt;
    const otpLength = checked.whatsapp?.otpLength ?? VERIHUBS_DEFAULT_OTP_LENGTH;
    const timeLimit = checked.timeLimitSeconds ?? this.options.defaultTimeLimitSeconds ?? 300;
    const pending: PendingCode = {
      channel,
      code: checked.otp ?? this.options.code ?? randomDigits(otpLength),
      sessionId: randomUUID(),
      expiresAt: now + timeLimit * 1000,
      attempts: 0,
      tryCount: alive ? previous.tryCount + 1 : 1,
      callbackUrl: checked.callbackUrl,
    };
    // Deleted first, so that the map's order stays the order of the sends: the oldest go first.
    this.codes.delete(key);
    this.codes.set(key, pending);
    this.cap();
    const text = renderVerihubsText(checked, pending.code);
    this.deliver({
      provider: 'verihubs',
      sessionId: pending.sessionId,
      msisdn: checked.msisdn,
      phoneNumber: `+${checked.msisdn}`,
      code: pending.code,
      channel,
      text,
      challenge: checked.challenge,
      sentAt: new Date(now).toISOString(),
    });
    this.callBack(pending, 'requested', 'delivered');
    return jsonReply(201, {
      message: VERIHUBS_MESSAGES.sent,
      otp: pending.code,
      msisdn: checked.msisdn,
      session_id: pending.sessionId,
      try_count: pending.tryCount,
      segment_count: checked.whatsapp ? 1 : smsSegmentCount(text),
    });
  }

  /** Queues the callbacks of these events, when the send gave a `callback_url`. */
  private callBack(
    pending: PendingCode,
    ...events: (keyof (typeof VERIHUBS_CALLBACK_STATUSES)['sms'])[]
  ): void {
    const base = pending.callbackUrl;
    if (base === undefined) {
      return;
    }
    const statuses = VERIHUBS_CALLBACK_STATUSES[pending.channel];
    this.callbacks.push(
      ...events.map((event) => verihubsCallbackUrl(base, pending.sessionId, statuses[event])),
    );
  }

  /** Forgets the oldest sends beyond the limit. */
  private cap(): void {
    for (const key of this.codes.keys()) {
      if (this.codes.size <= VERIHUBS_SANDBOX_CODE_LIMIT) {
        return;
      }
      this.codes.delete(key);
    }
  }

  /** Drops codes long past their expiry, at most every 30 s, without a timer. */
  private sweep(now: number): void {
    if (now - this.lastSweep < SWEEP_INTERVAL_MS) {
      return;
    }
    this.lastSweep = now;
    for (const [key, pending] of this.codes) {
      if (now - pending.expiresAt > RETENTION_MS) {
        this.codes.delete(key);
      }
    }
  }
}

/** The answer a magic msisdn gives at once on this endpoint, if it gives one. */
/** A request's body and msisdn, or the 400 or magic number's answer it gets first. */
function readRequest(
  endpoint: VerihubsMagicEndpoint,
  body: unknown,
): { fields: VerihubsFields; msisdn: string } | VerihubsReply {
  const fields = checkBody(body);
  if (fields === undefined) {
    return messageReply(400, VERIHUBS_MESSAGES.invalidJson);
  }
  const msisdn = checkMsisdn(fields);
  if (typeof msisdn !== 'string') {
    return msisdn;
  }
  return magicReply(endpoint, msisdn) ?? { fields, msisdn };
}

function magicReply(endpoint: VerihubsMagicEndpoint, msisdn: string): VerihubsReply | undefined {
  const outcome = verihubsMagicOutcome(endpoint, msisdn);
  switch (outcome?.kind) {
    case 'reply':
      return messageReply(outcome.status, outcome.message);
    case 'reset':
      return resetReply();
    default:
      return undefined;
  }
}

/** The key of the one code a channel keeps per msisdn and challenge. */
function codeKey(channel: VerihubsSandboxChannel, msisdn: string, challenge?: string): string {
  return JSON.stringify([channel, msisdn, challenge ?? '']);
}

/** A header against its configured value, in constant time; any non-empty one when unconfigured. */
function sameSecret(given: string | undefined, expected: string | undefined): boolean {
  if (!given) {
    return false;
  }
  if (expected === undefined) {
    return true;
  }
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
