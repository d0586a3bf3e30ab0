import { SandboxReply } from '../../../sandbox/sandbox.replies';
import { SandboxRequest, SandboxRoute } from '../../../sandbox/sandbox.router';
import { VERIHUBS_MESSAGES, messageReply } from './verihubs-sandbox.replies';
import { VerihubsSandboxState } from './verihubs-sandbox.state';
import { VerihubsSandboxChannel } from './verihubs-sandbox.types';

/**
 * The paths the sandbox answers as Verihubs does, each also with the
 * `/sandbox` suffix of the provider's own sandbox.
 *
 * @internal
 */
export const VERIHUBS_SANDBOX_PATHS = {
  smsSend: ['/v2/otp/send', '/v2/otp/send/sandbox'],
  smsVerify: ['/v2/otp/verify', '/v2/otp/verify/sandbox'],
  whatsappSend: ['/v2/whatsapp/otp/send', '/v2/whatsapp/otp/send/sandbox'],
  whatsappVerify: ['/v2/whatsapp/otp/verify', '/v2/whatsapp/otp/verify/sandbox'],
} as const;

/** The counters the router counts each endpoint's requests under. @internal */
export const VERIHUBS_SANDBOX_COUNTERS = {
  send: 'verihubs.send',
  verify: 'verihubs.verify',
} as const;

/**
 * Verihubs' route table: send and verify, for SMS and WhatsApp, on `POST`.
 * Each checks the `App-ID` and `API-Key` headers (else 401 "Authorization
 * failed") and parses the JSON body (else 400); the state answers the rest.
 *
 * @internal
 */
export function verihubsSandboxRoutes(state: VerihubsSandboxState): SandboxRoute[] {
  const route = (
    action: keyof typeof VERIHUBS_SANDBOX_COUNTERS,
    channel: VerihubsSandboxChannel,
    paths: readonly string[],
  ): SandboxRoute => ({
    method: 'POST',
    paths,
    counter: VERIHUBS_SANDBOX_COUNTERS[action],
    readsBody: true,
    handle: (request) =>
      authorized(state, request, (body) =>
        action === 'send' ? state.send(channel, body) : state.verify(channel, body),
      ),
  });
  const paths = VERIHUBS_SANDBOX_PATHS;
  return [
    route('send', 'sms', paths.smsSend),
    route('verify', 'sms', paths.smsVerify),
    route('send', 'whatsapp', paths.whatsappSend),
    route('verify', 'whatsapp', paths.whatsappVerify),
  ];
}

/**
 * What every endpoint shares: the two headers must pass (else 401), then
 * `answer` answers for the body, parsed (`undefined` when it is no JSON, which
 * the state refuses with 400).
 */
function authorized(
  state: VerihubsSandboxState,
  request: SandboxRequest,
  answer: (body: unknown) => SandboxReply,
): SandboxReply {
  if (!state.authorizes(header(request, 'app-id'), header(request, 'api-key'))) {
    return messageReply(401, VERIHUBS_MESSAGES.unauthorized);
  }
  return answer(parseJson(request.body));
}

/** A header's value (Node lower-cases the names); a repeated one counts by its first. */
function header(request: SandboxRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The body parsed, or `undefined` when it is missing or not JSON. */
function parseJson(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}
