import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { ResolvedVerifyNowOptions } from '../../config/verifynow-options.resolver';
import {
  VerifyNowAuthenticationException,
  VerifyNowRateLimitException,
  VerifyNowUnavailableException,
} from '../../http/upstream.exceptions';
import { errorForUnreadableAnswer, toInteger } from './verifynow.envelope';
import { UpstreamResponse, UpstreamHttpClient } from '../../http/upstream-http.client';
import { sanitizeText } from '../../redaction/redact.util';
import { Deadline } from '../../resilience/call.deadline';
import { verifyNowRequest } from './verifynow.endpoints';
import { VERIFYNOW_CLOCK, VERIFYNOW_RESOLVED_OPTIONS } from '../../verifynow.internal-constants';
import type { VerifyNowClock } from '../../verifynow.internal-constants';
import { TokenSchedule, scheduleToken } from './verifynow-token-lifetime.util';

interface CachedToken extends TokenSchedule {
  token: string;
}

/**
 * Gets, caches and refreshes the upstream auth token.
 *
 * - One token request at a time: concurrent callers share it (single flight).
 * - The token is refreshed a margin before the `exp` its JWT carries (a default
 *   lifetime when it carries none); if that refresh fails for a passing reason,
 *   the old token serves until it really expires.
 * - After a 401/403, `invalidate()` drops the refused token so the next
 *   `getToken()` fetches a new one.
 * - With a pre-issued `authToken` option, that token is used as is and never
 *   refreshed.
 * - The token request is idempotent, so a passing failure (network, deadline,
 *   5xx, non-JSON, 429) is retried up to `tokenRetry.retries` times with capped
 *   exponential backoff and jitter, honouring `Retry-After` (the upstream
 *   policy's idempotent retry, `upstream.policy.ts`); the waits end with the
 *   application.
 * - The whole fetch, retries included, ends within `timeoutMs`; each caller
 *   waits at most until its own deadline.
 */
@Injectable()
export class VerifyNowTokenProvider implements OnApplicationShutdown {
  private readonly stopped = new AbortController();
  private current: CachedToken | undefined;
  private inFlight: Promise<string> | undefined;

  /** @internal Nest builds it. */
  constructor(
    @Inject(VERIFYNOW_RESOLVED_OPTIONS) private readonly options: ResolvedVerifyNowOptions,
    private readonly client: UpstreamHttpClient,
    @Inject(VERIFYNOW_CLOCK) private readonly clock: VerifyNowClock,
  ) {}

  /** Whether a refused token can be replaced (false with a pre-issued `authToken`). */
  get canRefresh(): boolean {
    return this.options.credentials?.type === 'key';
  }

  /**
   * A token to call the upstream with: the cached one while it is fresh, else a
   * new one (one request, however many callers wait for it).
   *
   * @throws VerifyNowAuthenticationException when the upstream refuses the credentials.
   * @throws VerifyNowUnavailableException when the token endpoint cannot be reached within `timeoutMs`.
   */
  getToken(): Promise<string> {
    return this.tokenWithin(Deadline.after(this.options.timeoutMs));
  }

  /** @internal {@link VerifyNowTokenProvider.getToken}, answering by `deadline`. */
  async tokenWithin(deadline: Deadline): Promise<string> {
    const credentials = this.options.credentials;
    if (credentials?.type === 'token') {
      return credentials.authToken;
    }
    const cached = this.current;
    const now = this.clock.now();
    if (cached !== undefined && now < cached.refreshAt) {
      return cached.token;
    }
    try {
      return await deadline.race(this.refresh(), 'token');
    } catch (error) {
      const passing =
        error instanceof VerifyNowUnavailableException ||
        error instanceof VerifyNowRateLimitException;
      if (passing && cached !== undefined && this.clock.now() < cached.expiresAt) {
        return cached.token;
      }
      throw error;
    }
  }

  /** Drops `token` if it is the cached one, so that the next `getToken()` fetches anew. */
  invalidate(token: string): void {
    if (this.current?.token === token) {
      this.current = undefined;
    }
  }

  private refresh(): Promise<string> {
    this.inFlight ??= this.fetchToken().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Ends backoff waits: a token fetch waiting to retry fails at once. */
  onApplicationShutdown(): void {
    this.stopped.abort();
  }

  private async fetchToken(): Promise<string> {
    const credentials = this.options.credentials;
    if (credentials?.type !== 'key') {
      throw new VerifyNowAuthenticationException('no credentials to fetch a token with');
    }
    const params = {
      customerId: credentials.customerId,
      key: credentials.key,
      scope: 'NEW',
      country: this.options.country,
      email: this.options.email,
    };
    const token = await this.client.callIdempotent(
      verifyNowRequest(this.options.apiVersion, 'token', params),
      Deadline.after(this.options.timeoutMs),
      (response) => this.readToken(response),
      this.stopped.signal,
    );
    this.current = { token, ...scheduleToken(token, this.clock.now()) };
    return token;
  }

  /** The token in an answer of the token endpoint, or the error the answer means. */
  private readToken(response: UpstreamResponse): string {
    const details = {
      operation: 'token' as const,
      upstreamStatus: response.status,
      retryAfterSeconds: response.retryAfterSeconds,
    };
    if (response.status === 401 || response.status === 403) {
      throw new VerifyNowAuthenticationException(
        'the token endpoint refused the credentials',
        details,
      );
    }
    const body = response.json;
    if (
      response.status >= 300 ||
      body === null ||
      typeof body !== 'object' ||
      Array.isArray(body)
    ) {
      throw errorForUnreadableAnswer(response, 'token', 'answered without a token');
    }
    const fields = body as Record<string, unknown>;
    const status = toInteger(fields.status) ?? response.status;
    if (status < 300 && typeof fields.token === 'string' && fields.token.length > 0) {
      return fields.token;
    }
    const reason = [fields.error, fields.message].find(
      (text): text is string => typeof text === 'string' && text.length > 0,
    );
    const upstreamMessage =
      reason === undefined ? undefined : sanitizeText(reason, this.options.secrets);
    if (status === 429) {
      throw new VerifyNowRateLimitException({ ...details, upstreamMessage });
    }
    if (status >= 500) {
      throw new VerifyNowUnavailableException(`the token endpoint answered status ${status}`, {
        ...details,
        upstreamMessage,
      });
    }
    // The token endpoint reports bad credentials inside an HTTP 200: {"status":400,"error":"..."}.
    throw new VerifyNowAuthenticationException(
      upstreamMessage ?? `the token endpoint answered status ${status} without a token`,
      details,
    );
  }
}
