/**
 * The public types of Verihubs' sandbox: its settings and the messages it
 * "sends". Everything else in this folder is internal.
 */

/** The two channels the sandbox serves: SMS (`/v2/otp/*`) and WhatsApp (`/v2/whatsapp/otp/*`). */
export type VerihubsSandboxChannel = 'sms' | 'whatsapp';

/** Settings of Verihubs' sandbox. */
export interface VerihubsSandboxOptions {
  /** Accept only this `App-ID` header; any non-empty one when unset. */
  appId?: string;
  /** Accept only this `API-Key` header; any non-empty one when unset. */
  apiKey?: string;
  /**
   * A fixed code for every send that brings no `otp` of its own; random digits when unset.
   * @example '123456'
   */
  code?: string;
  /**
   * How long a code stays valid when the send has no `time_limit`, in seconds.
   * @defaultValue 300
   */
  defaultTimeLimitSeconds?: number;
  /**
   * Wrong codes a send takes; after that its code is gone and every verify answers 404.
   * @defaultValue 5
   */
  maxAttempts?: number;
  /** The clock, in milliseconds; tests replace it. @defaultValue Date.now */
  now?: () => number;
  /**
   * Milliseconds before each delivery callback, one after the other.
   * @defaultValue 0
   */
  callbackDelayMs?: number;
}

/** A code the sandbox "sent": what a real account would have delivered by SMS or WhatsApp. */
export interface VerihubsSandboxMessage {
  provider: 'verihubs';
  /** The send's `session_id`, as its answer and its callbacks carry it. */
  sessionId: string;
  /** The destination as sent: country prefix and number, digits only. */
  msisdn: string;
  /** `+` and the msisdn. */
  phoneNumber: string;
  /** The code itself. */
  code: string;
  channel: VerihubsSandboxChannel;
  /**
   * What the recipient would read: the SMS template with its code, or for
   * WhatsApp `WhatsApp template <name> (<lang>): <code>`.
   */
  text: string;
  /** The send's `challenge`, when it named one. */
  challenge: string | undefined;
  /** ISO timestamp. */
  sentAt: string;
}
