/** Lifetime assumed for a token whose JWT carries no usable `exp`. */
export const DEFAULT_TOKEN_LIFETIME_MS = 15 * 60_000;
/** Refresh this long before expiry at most... */
const MAX_REFRESH_MARGIN_MS = 60_000;
/** ...and at most this share of the lifetime, so short-lived tokens are still used. */
const MAX_REFRESH_MARGIN_SHARE = 0.2;

/** When a token fetched at `receivedAt` expires, and when to refresh it. @internal */
export interface TokenSchedule {
  expiresAt: number;
  refreshAt: number;
}

function readClaims(token: string): Record<string, unknown> | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) {
    return undefined;
  }
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return claims !== null && typeof claims === 'object'
      ? (claims as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How long a token lives, in milliseconds, from its JWT claims. With both `iat`
 * and `exp` the lifetime is `exp - iat`, which does not depend on the clocks of
 * the two machines agreeing; with `exp` alone it is measured against `now`.
 * `undefined` when the token says nothing usable.
 *
 * @internal
 */
export function tokenLifetimeMs(token: string, now: number): number | undefined {
  const claims = readClaims(token);
  const exp = claims?.exp;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) {
    return undefined;
  }
  const iat = claims?.iat;
  const lifetime =
    typeof iat === 'number' && Number.isFinite(iat) && iat < exp
      ? (exp - iat) * 1000
      : exp * 1000 - now;
  return lifetime > 0 ? lifetime : undefined;
}

/**
 * The expiry and refresh times of a token received at `receivedAt`: refresh a
 * margin before expiry (one minute, or a fifth of the lifetime if that is less).
 *
 * @internal
 */
export function scheduleToken(token: string, receivedAt: number): TokenSchedule {
  const lifetime = tokenLifetimeMs(token, receivedAt) ?? DEFAULT_TOKEN_LIFETIME_MS;
  const margin = Math.min(MAX_REFRESH_MARGIN_MS, lifetime * MAX_REFRESH_MARGIN_SHARE);
  return { expiresAt: receivedAt + lifetime, refreshAt: receivedAt + lifetime - margin };
}
