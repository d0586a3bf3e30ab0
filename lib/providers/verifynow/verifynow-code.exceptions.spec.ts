import { HttpException } from '@nestjs/common';
import { VerifyNowException } from '../../errors/verifynow.exception';
import {
  VerifyNowAuthenticationException,
  VerifyNowUnknownResponseException,
} from '../../http/upstream.exceptions';
import { exceptionForResponseCode } from './verifynow-code.exceptions';
import {
  VERIFYNOW_ERROR_CODES,
  VerifyNowResponseCode,
  responseCodeName,
} from './verifynow.response-codes';

describe('exceptionForResponseCode', () => {
  const documented = Object.entries(VerifyNowResponseCode).filter(([name]) => name !== 'SUCCESS');

  it.each(documented)('%s (%i) gets its own class, status and body', (name, code) => {
    const exception = exceptionForResponseCode(code, {
      operation: 'validate',
      upstreamStatus: 200,
    });
    const mapping = VERIFYNOW_ERROR_CODES[name as keyof typeof VERIFYNOW_ERROR_CODES];
    expect(exception).toBeInstanceOf(VerifyNowException);
    expect(exception).toBeInstanceOf(HttpException);
    expect(exception.constructor).not.toBe(VerifyNowException);
    expect(exception.responseCode).toBe(code);
    expect(exception.codeName).toBe(name);
    expect(exception.getStatus()).toBe(mapping.status);
    expect(exception.message).toBe(`VerifyNow validate answered ${code} ${name} (HTTP 200)`);
    expect(exception.getResponse()).toEqual(
      mapping.expose
        ? { statusCode: mapping.status, error: name, responseCode: code, message: mapping.message }
        : {
            statusCode: 500,
            error: 'INTERNAL_SERVER_ERROR',
            responseCode: null,
            message: 'The verification service is not available right now.',
          },
    );
  });

  it('gives each documented code a distinct class', () => {
    const classes = new Set(
      documented.map(([, code]) => exceptionForResponseCode(code).constructor),
    );
    expect(classes.size).toBe(documented.length);
  });

  it('keeps an undocumented code', () => {
    const exception = exceptionForResponseCode(999);
    expect(exception).toBeInstanceOf(VerifyNowUnknownResponseException);
    expect(exception.responseCode).toBe(999);
    expect(exception.getStatus()).toBe(502);
  });

  it('names the classes after the codes', () => {
    expect(exceptionForResponseCode(702).name).toBe('WrongOtpProvidedException');
    expect(exceptionForResponseCode(705).name).toBe('VerificationExpiredException');
    expect(responseCodeName(702)).toBe('WRONG_OTP_PROVIDED');
    expect(responseCodeName(1)).toBeUndefined();
  });
});

describe('VerifyNowAuthenticationException', () => {
  it('hides the reason from the end user behind a generic 500, keeping it for logs', () => {
    const exception = new VerifyNowAuthenticationException('customerId is invalid', {
      operation: 'token',
      upstreamStatus: 200,
    });
    expect(exception.getStatus()).toBe(500);
    expect(JSON.stringify(exception.getResponse())).not.toContain('customerId');
    expect(exception.message).toBe(
      'VerifyNow token authentication failed: customerId is invalid (HTTP 200)',
    );
  });
});
