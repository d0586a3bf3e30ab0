import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The claims of a sandbox token. @internal */
export interface SandboxTokenClaims {
  /** The customer id the token was issued to. */
  sub: string;
  /** Issued at, in seconds. */
  iat: number;
  /** Expires at, in seconds. */
  exp: number;
  /** The sandbox's revocation generation the token belongs to. */
  gen: number;
}

const HEADER = base64url(JSON.stringify({ alg: 'HS512', typ: 'JWT' }));

function base64url(text: string | Buffer): string {
  return Buffer.from(text).toString('base64url');
}

/**
 * Signs and checks HS512 JWTs like the upstream's tokens, with a secret that lives
 * and dies with one sandbox instance.
 *
 * @internal
 */
export class SandboxTokenSigner {
  private readonly secret = randomBytes(32);

  sign(claims: SandboxTokenClaims): string {
    const body = `${HEADER}.${base64url(JSON.stringify(claims))}`;
    return `${body}.${this.signature(body)}`;
  }

  /** The claims of a token this signer issued, or `undefined` for any other string. */
  verify(token: string): SandboxTokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== HEADER) {
      return undefined;
    }
    const expected = Buffer.from(this.signature(`${parts[0]}.${parts[1]}`));
    const given = Buffer.from(parts[2]);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return undefined;
    }
    try {
      return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as SandboxTokenClaims;
    } catch {
      return undefined;
    }
  }

  private signature(body: string): string {
    return createHmac('sha512', this.secret).update(body).digest('base64url');
  }
}
