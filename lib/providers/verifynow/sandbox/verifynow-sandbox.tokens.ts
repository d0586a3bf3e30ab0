import { timingSafeEqual } from 'node:crypto';
import { SandboxJsonReply } from '../../../sandbox/sandbox.replies';
import { SandboxTokenSigner } from './verifynow-sandbox.jwt';
import { VerifyNowStatusAnswer, tokenAnswer } from './verifynow-sandbox.replies';
import { VerifyNowSandboxOptions } from './verifynow-sandbox.types';

/** The customer id a static token stands for when no `customerId` is configured. */
const STATIC_TOKEN_CUSTOMER = 'C-SANDBOX';

/**
 * The token endpoint's rules: checks credentials, issues HS512 JWTs with `exp`,
 * recognizes them (and the static tokens) later, and revokes every one issued
 * so far at once. No sockets.
 *
 * @internal
 */
export class VerifyNowSandboxTokens {
  private readonly signer = new SandboxTokenSigner();
  private generation = 0;

  constructor(
    private readonly options: Pick<
      VerifyNowSandboxOptions,
      'customerId' | 'password' | 'staticTokens' | 'tokenTtlSeconds'
    >,
    private readonly now: () => number,
  ) {}

  /**
   * The token endpoint's answer to these query parameters: a token, or the
   * reason for refusing one (inside an HTTP 200, as the upstream does).
   */
  issue(
    customerId: string | null,
    key: string | null,
    scope: string | null,
  ): SandboxJsonReply<VerifyNowStatusAnswer> {
    if (
      !customerId ||
      (this.options.customerId !== undefined && customerId !== this.options.customerId)
    ) {
      return tokenAnswer({ error: 'customerId is invalid' });
    }
    if (!key || !this.passwordMatches(key)) {
      return tokenAnswer({ error: 'password is wrong' });
    }
    if (scope !== null && scope !== 'NEW') {
      return tokenAnswer({ error: 'scope is invalid' });
    }
    const iat = Math.floor(this.now() / 1000);
    const exp = iat + (this.options.tokenTtlSeconds ?? 3600);
    return tokenAnswer({
      token: this.signer.sign({ sub: customerId, iat, exp, gen: this.generation }),
    });
  }

  /** The customer id a token stands for, or `undefined` when it is missing, unknown, expired or revoked. */
  authenticate(token: string | undefined): string | undefined {
    if (token !== undefined && this.options.staticTokens?.includes(token)) {
      return this.options.customerId ?? STATIC_TOKEN_CUSTOMER;
    }
    const claims = token === undefined ? undefined : this.signer.verify(token);
    if (claims === undefined || claims.gen !== this.generation || claims.exp * 1000 <= this.now()) {
      return undefined;
    }
    return claims.sub;
  }

  /** Makes every token issued so far invalid; static tokens stay valid. */
  revoke(): void {
    this.generation += 1;
  }

  private passwordMatches(key: string): boolean {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key)) {
      return false;
    }
    if (this.options.password === undefined) {
      return true;
    }
    const given = Buffer.from(key, 'base64');
    const expected = Buffer.from(this.options.password, 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
