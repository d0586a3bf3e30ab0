import type { VerifyNowOperation } from '../../errors/verifynow.exception';
import type { UpstreamParams, UpstreamRequest } from '../../http/upstream-http.client';
import type { VerifyNowApiVersion } from '../../interfaces/verifynow-module-options.interface';

const PATHS: Record<VerifyNowApiVersion, Record<VerifyNowOperation, string>> = {
  v3: {
    token: '/auth/v1/authentication/token',
    send: '/verification/v3/send',
    validate: '/verification/v3/validateOtp',
  },
  v2: {
    token: '/auth/v1/authentication/token',
    send: '/verification/v2/verification/send',
    validate: '/verification/v2/verification/validateOtp',
  },
};

/** The upstream fixes each method; another one gets HTTP 405. */
const METHODS: Record<VerifyNowOperation, 'GET' | 'POST'> = {
  token: 'GET',
  send: 'POST',
  validate: 'GET',
};

/**
 * A VerifyNow call as the HTTP client makes it: its path for the API version,
 * its method, every parameter in the query string, and the token in the
 * `authToken` header when there is one.
 *
 * @internal
 */
export function verifyNowRequest(
  apiVersion: VerifyNowApiVersion,
  operation: VerifyNowOperation,
  params: UpstreamParams,
  token?: string,
): UpstreamRequest {
  return {
    operation,
    method: METHODS[operation],
    path: PATHS[apiVersion][operation],
    params,
    headers: token === undefined ? undefined : { authToken: token },
  };
}
