import {
  VerifyNowAuthenticationException,
  VerifyNowCircuitOpenException,
  VerifyNowOverloadedException,
  VerifyNowQuotaExceededException,
  VerifyNowRateLimitException,
  VerifyNowUnavailableException,
  VerifyNowUnknownResponseException,
  markNeverSent,
} from '../http/upstream.exceptions';
import { WrongOtpProvidedException } from '../providers/verifynow/verifynow-code.exceptions';
import { VerifyNowInvalidInputException } from '../errors/verifynow.exception';
import { certainlyNotSent, failsOver } from './failover.policy';

describe('failover policy', () => {
  const notSent = [
    new VerifyNowCircuitOpenException(30, 'send'),
    new VerifyNowOverloadedException('queue full', 'send'),
    new VerifyNowAuthenticationException('refused'),
    new VerifyNowQuotaExceededException(),
    new VerifyNowRateLimitException(),
    markNeverSent(new VerifyNowUnavailableException('request failed (ECONNREFUSED)')),
  ];
  const ambiguous = [
    new VerifyNowUnavailableException('no answer within 10000 ms'),
    new VerifyNowUnavailableException('request failed (ECONNRESET)'),
  ];
  const never = [
    new WrongOtpProvidedException(),
    new VerifyNowInvalidInputException('bad number'),
    new VerifyNowUnknownResponseException(null, 'odd'),
    new Error('bug'),
    undefined,
  ];

  it.each(notSent.map((error) => [error.constructor.name, error]))(
    'fails over after %s: nothing went out',
    (_, error) => {
      expect(certainlyNotSent(error)).toBe(true);
      expect(failsOver(error, false)).toBe(true);
    },
  );

  it('fails over after an ambiguous failure only when asked to', () => {
    for (const error of ambiguous) {
      expect(certainlyNotSent(error)).toBe(false);
      expect(failsOver(error, false)).toBe(false);
      expect(failsOver(error, true)).toBe(true);
    }
  });

  it('never fails over on an answer about the request itself', () => {
    for (const error of never) {
      expect(failsOver(error, true)).toBe(false);
    }
  });
});
