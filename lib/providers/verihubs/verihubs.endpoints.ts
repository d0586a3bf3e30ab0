import { createHash } from 'node:crypto';
import type { UpstreamRequest } from '../../http/upstream-http.client';
import type { ResolvedVerihubsOptions } from './verihubs.options';

/** The two channels the module sends Verihubs codes through. @internal */
export type VerihubsChannel = 'sms' | 'whatsapp';

/** The calls the module makes to Verihubs. @internal */
export type VerihubsOperation = 'send' | 'validate';

/** Each channel's paths, without the `/sandbox` suffix of the provider's own sandbox. */
const PATHS: Record<VerihubsChannel, Record<VerihubsOperation, string>> = {
  sms: { send: '/v2/otp/send', validate: '/v2/otp/verify' },
  whatsapp: { send: '/v2/whatsapp/otp/send', validate: '/v2/whatsapp/otp/verify' },
};

/** Hex characters of the purpose's digest a bound challenge carries. */
const PURPOSE_DIGEST_LENGTH = 24;

/**
 * The path of a call: its channel's, with `/sandbox` appended when the provider's
 * own sandbox is asked for (`useProviderSandbox`).
 *
 * @internal
 */
export function verihubsPath(
  settings: Pick<ResolvedVerihubsOptions, 'useProviderSandbox'>,
  channel: VerihubsChannel,
  operation: VerihubsOperation,
): string {
  const path = PATHS[channel][operation];
  return settings.useProviderSandbox ? `${path}/sandbox` : path;
}

/**
 * A Verihubs call as the HTTP client makes it: a `POST` of a JSON body, with the
 * `App-ID` and `API-Key` headers every call carries. No query parameters.
 *
 * @internal
 */
export function verihubsRequest(
  settings: Pick<ResolvedVerihubsOptions, 'appId' | 'apiKey' | 'useProviderSandbox'>,
  channel: VerihubsChannel,
  operation: VerihubsOperation,
  body: Record<string, unknown>,
): UpstreamRequest {
  return {
    operation,
    method: 'POST',
    path: verihubsPath(settings, channel, operation),
    params: {},
    headers: {
      Accept: 'application/json',
      'Content-Type': 'application/json',
      'App-ID': settings.appId,
      'API-Key': settings.apiKey,
    },
    body,
  };
}

/**
 * The `challenge` of a send: Verihubs verifies a code only under the challenge it
 * was sent with, so a code sent for one purpose is refused for another. Without a
 * purpose, the configured challenge; with one, the configured challenge, `-` and
 * the first 24 hex characters of the purpose's SHA-256 (the purpose itself never
 * leaves the module).
 *
 * @example verihubsChallenge('login', null)       // 'login'
 * @example verihubsChallenge('login', 'transfer') // 'login-' + 24 hex characters
 * @internal
 */
export function verihubsChallenge(base: string, purpose: string | null): string {
  if (purpose === null) {
    return base;
  }
  const digest = createHash('sha256').update(purpose, 'utf8').digest('hex');
  return `${base}-${digest.slice(0, PURPOSE_DIGEST_LENGTH)}`;
}
