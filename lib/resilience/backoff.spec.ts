import {
  VerifyNowAuthenticationException,
  VerifyNowCircuitOpenException,
  VerifyNowRateLimitException,
  VerifyNowUnavailableException,
} from '../http/upstream.exceptions';
import { WrongOtpProvidedException } from '../providers/verifynow/verifynow-code.exceptions';
import { retryDelayMs } from './backoff';

describe('retryDelayMs', () => {
  const settings = { baseDelayMs: 200, maxDelayMs: 1000 };
  const unavailable = new VerifyNowUnavailableException('request failed (ECONNRESET)');

  it('doubles from the base delay, capped, with equal jitter', () => {
    const low = (attempt: number) => retryDelayMs(unavailable, attempt, settings, () => 0);
    const high = (attempt: number) => retryDelayMs(unavailable, attempt, settings, () => 1);
    expect([0, 1, 2, 3, 4].map(low)).toEqual([100, 200, 400, 500, 500]);
    expect([0, 1, 2, 3, 4].map(high)).toEqual([200, 400, 800, 1000, 1000]);
  });

  it('honours Retry-After when it fits, and gives up when it asks for too long', () => {
    expect(
      retryDelayMs(new VerifyNowRateLimitException({ retryAfterSeconds: 1 }), 0, settings),
    ).toBe(1000);
    expect(
      retryDelayMs(new VerifyNowRateLimitException({ retryAfterSeconds: 30 }), 0, settings),
    ).toBeUndefined();
    expect(retryDelayMs(new VerifyNowRateLimitException(), 0, settings, () => 0)).toBe(100);
  });

  it('never retries what a retry cannot fix', () => {
    for (const error of [
      new VerifyNowAuthenticationException('password is wrong'),
      new WrongOtpProvidedException(),
      new VerifyNowCircuitOpenException(30),
      new Error('bug'),
    ]) {
      expect(retryDelayMs(error, 0, settings)).toBeUndefined();
    }
  });
});
