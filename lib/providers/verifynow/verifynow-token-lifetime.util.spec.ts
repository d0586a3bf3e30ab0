import {
  DEFAULT_TOKEN_LIFETIME_MS,
  scheduleToken,
  tokenLifetimeMs,
} from './verifynow-token-lifetime.util';

const jwt = (claims: Record<string, unknown>): string =>
  `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;

describe('tokenLifetimeMs', () => {
  const now = 1_700_000_000_000;

  it('is exp - iat when both are there, whatever the local clock says', () => {
    expect(tokenLifetimeMs(jwt({ iat: 100, exp: 3700 }), now)).toBe(3_600_000);
  });

  it('is exp - now when iat is missing', () => {
    expect(tokenLifetimeMs(jwt({ exp: now / 1000 + 60 }), now)).toBe(60_000);
  });

  it('is undefined for a token without a usable exp, or one already expired', () => {
    expect(tokenLifetimeMs(jwt({ sub: 'C-1' }), now)).toBeUndefined();
    expect(tokenLifetimeMs(jwt({ exp: 'soon' }), now)).toBeUndefined();
    expect(tokenLifetimeMs(jwt({ exp: now / 1000 - 5 }), now)).toBeUndefined();
    expect(tokenLifetimeMs('not-a-jwt', now)).toBeUndefined();
    expect(tokenLifetimeMs('a.!!!.b', now)).toBeUndefined();
  });
});

describe('scheduleToken', () => {
  it('refreshes one minute before a long-lived token expires', () => {
    expect(scheduleToken(jwt({ iat: 0, exp: 3600 }), 1000)).toEqual({
      expiresAt: 1000 + 3_600_000,
      refreshAt: 1000 + 3_540_000,
    });
  });

  it('refreshes a fifth of the lifetime early for a short-lived token', () => {
    expect(scheduleToken(jwt({ iat: 0, exp: 100 }), 0)).toEqual({
      expiresAt: 100_000,
      refreshAt: 80_000,
    });
  });

  it('assumes the default lifetime without exp', () => {
    expect(scheduleToken('opaque-token', 0).expiresAt).toBe(DEFAULT_TOKEN_LIFETIME_MS);
  });
});
