import { VerifyNowException } from '../../errors/verifynow.exception';
import type { UpstreamResponse } from '../../http/upstream-http.client';
import {
  VerifyNowAuthenticationException,
  VerifyNowQuotaExceededException,
  VerifyNowRateLimitException,
  VerifyNowUnavailableException,
  VerifyNowUnknownResponseException,
} from '../../http/upstream.exceptions';
import { sanitizeText } from '../../redaction/redact.util';
import {
  VerificationExpiredException,
  VerifyNowBadRequestException,
  WrongOtpProvidedException,
} from '../verifynow/verifynow-code.exceptions';
import { VERIHUBS_ANSWERS, verihubsAnswerError, verihubsAnswerRule } from './verihubs.answers';
import type { VerihubsOperation } from './verihubs.endpoints';
import { VerihubsBlockedNumberException } from './verihubs.exceptions';

const answer = (
  status: number,
  json: unknown = { message: 'no' },
  retryAfterSeconds?: number,
): UpstreamResponse => ({ status, json, retryAfterSeconds });
/** An answer whose body is not JSON. */
const bodiless = (status: number, retryAfterSeconds?: number): UpstreamResponse => ({
  status,
  json: undefined,
  retryAfterSeconds,
});

const SECRET = 'api-key-secret';
const sanitize = (text: string): string => sanitizeText(text, [SECRET, '4821']);
const error = (response: UpstreamResponse, operation: VerihubsOperation): VerifyNowException =>
  verihubsAnswerError(response, operation, sanitize);

describe('VERIHUBS_ANSWERS', () => {
  it('documents every refusal Verihubs names, each with its exception and calls', () => {
    const table = Object.entries(VERIHUBS_ANSWERS).map(([status, rule]) => [
      Number(status),
      rule.exception,
      rule.on,
    ]);
    expect(table).toEqual([
      [400, 'VerifyNowBadRequestException', ['send', 'validate']],
      [401, 'VerifyNowAuthenticationException', ['send', 'validate']],
      [403, 'VerifyNowQuotaExceededException', ['send', 'validate']],
      [404, 'WrongOtpProvidedException', ['validate']],
      [409, 'VerihubsBlockedNumberException', ['send', 'validate']],
      [422, 'VerificationExpiredException', ['validate']],
      [429, 'VerifyNowRateLimitException', ['send', 'validate']],
    ]);
  });

  it('names the class each row makes, and says what it means', () => {
    for (const rule of Object.values(VERIHUBS_ANSWERS)) {
      expect(rule.create({}).constructor.name).toBe(rule.exception);
      expect(rule.meaning.length).toBeGreaterThan(5);
    }
  });

  it('finds a row only for its own calls, and never an inherited one', () => {
    expect(verihubsAnswerRule(404, 'validate')?.exception).toBe('WrongOtpProvidedException');
    expect(verihubsAnswerRule(404, 'send')).toBeUndefined();
    expect(verihubsAnswerRule(422, 'send')).toBeUndefined();
    expect(verihubsAnswerRule(418, 'send')).toBeUndefined();
  });
});

describe('verihubsAnswerError', () => {
  it.each<[number, VerihubsOperation, new (...args: never[]) => VerifyNowException, number]>([
    [400, 'send', VerifyNowBadRequestException, 400],
    [400, 'validate', VerifyNowBadRequestException, 400],
    [401, 'send', VerifyNowAuthenticationException, 500],
    [403, 'send', VerifyNowQuotaExceededException, 503],
    [404, 'validate', WrongOtpProvidedException, 401],
    [409, 'send', VerihubsBlockedNumberException, 403],
    [422, 'validate', VerificationExpiredException, 410],
    [429, 'send', VerifyNowRateLimitException, 429],
    [500, 'send', VerifyNowUnavailableException, 503],
    [503, 'validate', VerifyNowUnavailableException, 503],
    [404, 'send', VerifyNowUnknownResponseException, 502],
    [422, 'send', VerifyNowUnknownResponseException, 502],
    [418, 'validate', VerifyNowUnknownResponseException, 502],
    [202, 'send', VerifyNowUnknownResponseException, 502],
  ])('HTTP %i on %s → %p (answered %i)', (status, operation, type, answered) => {
    const thrown = error(answer(status), operation);
    expect(thrown).toBeInstanceOf(type);
    expect(thrown.getStatus()).toBe(answered);
    expect([thrown.operation, thrown.upstreamStatus]).toEqual([operation, status]);
  });

  it('answers PHONE_NUMBER_BLOCKED (403) for a blocked number, with a message for the user', () => {
    expect(error(answer(409), 'send').getResponse()).toEqual({
      statusCode: 403,
      error: 'PHONE_NUMBER_BLOCKED',
      responseCode: null,
      message: 'This phone number cannot receive codes.',
    });
  });

  it('keeps Retry-After on a 429, a JSON one or a bodiless one from a gateway', () => {
    for (const response of [answer(429, { message: 'slow down' }, 7), bodiless(429, 7)]) {
      const thrown = error(response, 'send');
      expect(thrown).toBeInstanceOf(VerifyNowRateLimitException);
      expect(thrown.retryAfterSeconds).toBe(7);
    }
  });

  it('takes a body that is not JSON as unavailable, and a JSON non-object as unexpected', () => {
    for (const status of [200, 201, 400, 404, 422]) {
      expect(error(bodiless(status), 'validate')).toBeInstanceOf(VerifyNowUnavailableException);
      expect(error(answer(status, ['x']), 'validate')).toBeInstanceOf(
        VerifyNowUnknownResponseException,
      );
    }
  });

  it("cleans the upstream's message of secrets, the code and whole numbers", () => {
    const message = `bad ${SECRET} code 4821 for 6281234567890`;
    const thrown = error(answer(400, { message, otp: '4821' }), 'send');
    const text = `${thrown.message} ${JSON.stringify(thrown.getResponse())}`;
    expect(text).toContain('bad [REDACTED] code [REDACTED] for *********7890');
    expect(text).not.toMatch(/4821|api-key-secret|6281234567890/);
  });

  it('reads no other field than message', () => {
    const thrown = error(answer(418, { error: 'teapot', otp: '4821' }), 'send');
    expect(thrown.message).toBe('Verihubs send answered unexpectedly (HTTP 418)');
  });
});
