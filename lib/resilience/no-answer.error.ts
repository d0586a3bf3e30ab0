import type { VerifyNowOperation } from '../errors/verifynow.exception';
import { VerifyNowUnavailableException, markNeverSent } from '../http/upstream.exceptions';

/** Connection failures that prove the request never left: sending it again sends once. */
const NEVER_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
]);

/** An attempt that got no answer; callers get `exception`, which holds nothing of the request. @internal */
export class NoAnswerError extends Error {
  readonly exception: VerifyNowUnavailableException;
  /** Why, e.g. `ECONNREFUSED`: an error's `code`, else its name. */
  readonly code: string;
  /** Whether the connection failed before the request was written. */
  readonly neverSent: boolean;

  constructor(error: unknown, operation: VerifyNowOperation, timedOutAfterMs: number | undefined) {
    const code = (error as { code?: unknown } | undefined)?.code;
    const name = error instanceof Error ? error.name : 'unknown error';
    const reason =
      timedOutAfterMs === undefined
        ? `request failed (${typeof code === 'string' ? code : name})`
        : `no answer within ${timedOutAfterMs} ms`;
    super(reason);
    this.code = typeof code === 'string' ? code : name;
    this.neverSent = timedOutAfterMs === undefined && NEVER_SENT.has(this.code);
    const exception = new VerifyNowUnavailableException(reason, { operation });
    this.exception = this.neverSent ? markNeverSent(exception) : exception;
  }
}
