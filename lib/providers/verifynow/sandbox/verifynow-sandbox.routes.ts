import { VerifyNowResponseCode } from '../verifynow.response-codes';
import { SandboxReply } from '../../../sandbox/sandbox.replies';
import { SandboxRequest, SandboxRoute } from '../../../sandbox/sandbox.router';
import { business, unauthorized } from './verifynow-sandbox.replies';
import { VerifyNowSandboxState } from './verifynow-sandbox.state';
import { VerifyNowSandboxStats } from './verifynow-sandbox.types';

/** The paths the sandbox answers as VerifyNow does. @internal */
export const VERIFYNOW_SANDBOX_PATHS = {
  token: '/auth/v1/authentication/token',
  sendV3: '/verification/v3/send',
  sendV2: '/verification/v2/verification/send',
  validateV3: ['/verification/v3/validateOtp', '/verification/v3/validateOtp/'],
  validateV2: '/verification/v2/verification/validateOtp',
} as const;

/** The counter each endpoint's requests are counted under: the keys of the stats. */
const COUNTERS: { [K in keyof VerifyNowSandboxStats]: K } = {
  token: 'token',
  send: 'send',
  validate: 'validate',
};

/**
 * VerifyNow's route table: the token endpoint (GET), send (POST) and validate
 * (GET) on their v3 and v2 paths. Send and validate authenticate the
 * `authToken` header and check the `customerId` parameter, required on v2
 * paths; the state answers the rest.
 *
 * @internal
 */
export function verifyNowSandboxRoutes(state: VerifyNowSandboxState): SandboxRoute[] {
  const send = (v2: boolean) => (request: SandboxRequest) =>
    authorized(state, request, v2, (customerId) =>
      state.send(customerId, {
        countryCode: param(request, 'countryCode'),
        mobileNumber: param(request, 'mobileNumber'),
        flowType: param(request, 'flowType'),
        otpLength: param(request, 'otpLength'),
      }),
    );
  const validate = (v2: boolean) => (request: SandboxRequest) =>
    authorized(state, request, v2, (customerId) =>
      state.validate(customerId, {
        verificationId: param(request, 'verificationId'),
        code: param(request, 'code'),
      }),
    );
  const paths = VERIFYNOW_SANDBOX_PATHS;
  return [
    {
      method: 'GET',
      paths: [paths.token],
      counter: COUNTERS.token,
      handle: ({ query }) =>
        state.tokens.issue(query.get('customerId'), query.get('key'), query.get('scope')),
    },
    { method: 'POST', paths: [paths.sendV3], counter: COUNTERS.send, handle: send(false) },
    { method: 'POST', paths: [paths.sendV2], counter: COUNTERS.send, handle: send(true) },
    { method: 'GET', paths: paths.validateV3, counter: COUNTERS.validate, handle: validate(false) },
    {
      method: 'GET',
      paths: [paths.validateV2],
      counter: COUNTERS.validate,
      handle: validate(true),
    },
  ];
}

/**
 * What send and validate share: the `authToken` header must hold a valid token
 * (else 401); the `customerId` parameter is required on v2 paths (else 400) and,
 * when given, must be the token's (else 501). Then `answer` answers for the
 * token's customer.
 */
function authorized(
  state: VerifyNowSandboxState,
  request: SandboxRequest,
  v2: boolean,
  answer: (customerId: string) => SandboxReply,
): SandboxReply {
  const header = request.headers.authtoken;
  const customerId = state.tokens.authenticate(Array.isArray(header) ? header[0] : header);
  if (customerId === undefined) {
    return unauthorized();
  }
  const queryCustomer = request.query.get('customerId');
  if (v2 && !queryCustomer) {
    return business(VerifyNowResponseCode.BAD_REQUEST, 'customerId is required');
  }
  if (queryCustomer && queryCustomer !== customerId) {
    return business(VerifyNowResponseCode.INVALID_CUSTOMER_ID);
  }
  return answer(customerId);
}

/** A query parameter, `undefined` when absent. */
function param(request: SandboxRequest, name: string): string | undefined {
  return request.query.get(name) ?? undefined;
}
