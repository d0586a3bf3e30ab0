/** The channels VerifyNow delivers a code through. */
export const VERIFYNOW_FLOW_TYPES = ['SMS', 'WHATSAPP', 'RCS', 'SAUTH'] as const;

/** A delivery channel: `'SMS'`, `'WHATSAPP'`, `'RCS'` or `'SAUTH'`. */
export type VerifyNowFlowType = (typeof VERIFYNOW_FLOW_TYPES)[number];

/** Digits in a code unless configured otherwise (the upstream's own default is 4). */
export const DEFAULT_OTP_LENGTH = 6;
/** Deadline of an upstream request unless configured otherwise. */
export const DEFAULT_TIMEOUT_MS = 10_000;
