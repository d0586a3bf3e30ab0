import { VERIHUBS_MESSAGES, VerihubsReply, messageReply } from './verihubs-sandbox.replies';
import { VerihubsSandboxChannel } from './verihubs-sandbox.types';

/** A request body once known to be a JSON object. @internal */
export type VerihubsFields = Readonly<Record<string, unknown>>;

/** What a WhatsApp send adds: the pre-approved template and the length of the code to draw. @internal */
export interface CheckedWhatsApp {
  templateName: string;
  langCode: string;
  /** 6 when the send did not say. */
  otpLength: number;
}

/** A send's body once checked. @internal */
export interface CheckedSend {
  msisdn: string;
  /** The caller's own code, when it brought one. */
  otp?: string;
  /** The send's `time_limit`, when it gave one. */
  timeLimitSeconds?: number;
  challenge?: string;
  callbackUrl?: string;
  /** The SMS template; unset for WhatsApp and when the send gave none. */
  template?: string;
  /** Set for WhatsApp sends only. */
  whatsapp?: CheckedWhatsApp;
}

/** A verify's body once checked. @internal */
export interface CheckedVerify {
  msisdn: string;
  otp: string;
  challenge?: string;
}

/** The default length of a drawn code. @internal */
export const VERIHUBS_DEFAULT_OTP_LENGTH = 6;

/** The longest `time_limit` the sandbox takes: a day. */
const MAX_TIME_LIMIT_SECONDS = 86_400;

/** A field of the wrong type or value: its message is the 400's. */
class BadField extends Error {}

/** The body as a JSON object's fields, or `undefined` for anything else (an array, a string, null). @internal */
export function checkBody(body: unknown): VerihubsFields | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return undefined;
  }
  return body as VerihubsFields;
}

/** The msisdn (4 to 16 digits, a JSON number allowed), or the seed's 400 answer. @internal */
export function checkMsisdn(fields: VerihubsFields): string | VerihubsReply {
  const value = fields.msisdn;
  const msisdn = typeof value === 'number' ? String(value) : value;
  if (typeof msisdn !== 'string' || !/^\d{4,16}$/.test(msisdn)) {
    return messageReply(400, VERIHUBS_MESSAGES.msisdnInvalid);
  }
  return msisdn;
}

/** A send's other fields checked, or the 400 answer to the first wrong one. @internal */
export function checkSend(
  channel: VerihubsSandboxChannel,
  fields: VerihubsFields,
  msisdn: string,
): CheckedSend | VerihubsReply {
  try {
    const otp = optional(fields, 'otp');
    if (otp !== undefined && !/^\d{4,10}$/.test(otp)) {
      throw new BadField('otp must be 4 to 10 digits');
    }
    const callbackUrl = optional(fields, 'callback_url');
    if (callbackUrl !== undefined && !isHttpUrl(callbackUrl)) {
      throw new BadField('callback_url must be an http or https URL');
    }
    // A sandbox on a developer's machine calls back that machine only: never a
    // request forwarder to anywhere else.
    if (callbackUrl !== undefined && !isLoopbackUrl(callbackUrl)) {
      throw new BadField('callback_url must point to this machine (localhost, 127.0.0.1 or ::1)');
    }
    const checked: CheckedSend = {
      msisdn,
      otp,
      timeLimitSeconds: whole(fields, 'time_limit', 1, MAX_TIME_LIMIT_SECONDS),
      challenge: optional(fields, 'challenge'),
      callbackUrl,
    };
    if (channel === 'sms') {
      return { ...checked, template: optional(fields, 'template') };
    }
    const whatsapp: CheckedWhatsApp = {
      templateName: required(fields, 'template_name'),
      langCode: required(fields, 'lang_code'),
      otpLength: whole(fields, 'otp_length', 4, 10) ?? VERIHUBS_DEFAULT_OTP_LENGTH,
    };
    return { ...checked, whatsapp };
  } catch (error) {
    return badRequest(error);
  }
}

/** A verify's other fields checked, or the 400 answer to the first wrong one. @internal */
export function checkVerify(fields: VerihubsFields, msisdn: string): CheckedVerify | VerihubsReply {
  try {
    return { msisdn, otp: required(fields, 'otp'), challenge: optional(fields, 'challenge') };
  } catch (error) {
    return badRequest(error);
  }
}

/** Whether a text is an absolute `http:` or `https:` URL. @internal */
export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** A field as text (a JSON number allowed), `undefined` when absent, null or empty. */
function optional(fields: VerihubsFields, name: string): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null || value === '') {
    return undefined;
  }
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    return String(value);
  }
  throw new BadField(`${name} must be a string`);
}

/** A field that must be there. */
function required(fields: VerihubsFields, name: string): string {
  const value = optional(fields, name);
  if (value === undefined) {
    throw new BadField(`${name} is required`);
  }
  return value;
}

/** A whole number between `min` and `max`, sent as a number or as digits (`"300"`). */
function whole(fields: VerihubsFields, name: string, min: number, max: number): number | undefined {
  const text = optional(fields, name);
  if (text === undefined) {
    return undefined;
  }
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new BadField(`${name} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/** The 400 answer to a {@link BadField}; any other error is thrown on. */
function badRequest(error: unknown): VerihubsReply {
  if (error instanceof BadField) {
    return messageReply(400, error.message);
  }
  throw error;
}

/** Whether `url` names this machine: `localhost`, `127.0.0.0/8` or `::1`. */
function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}
