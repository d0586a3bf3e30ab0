import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import axios, { AxiosResponse, isAxiosError } from 'axios';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { ResolvedVerifyNowOptions } from '../config/verifynow-options.resolver';
import { VerifyNowOperation } from '../errors/verifynow.exception';
import { VerifyNowUnavailableException } from './upstream.exceptions';
import type { Deadline } from '../resilience/deadline';
import { OutboundRateLimiter } from '../resilience/outbound-rate-limiter';
import { UpstreamCircuitBreaker } from '../resilience/upstream-circuit-breaker';
import { VERIFYNOW_HTTP_SERVICE } from '../verifynow.constants';
import { createKeepAliveAdapter } from './keep-alive.adapter';
import {
  VERIFYNOW_CIRCUIT_BREAKER,
  VERIFYNOW_RATE_LIMITER,
  VERIFYNOW_RESOLVED_OPTIONS,
} from '../verifynow.internal-constants';

/** An upstream answer, whatever its status. @internal */
export interface UpstreamResponse {
  /** HTTP status. */
  status: number;
  /** The body parsed as JSON, or `undefined` when it is not JSON. */
  json: unknown;
  /** Seconds from a `Retry-After` header, when there is one. */
  retryAfterSeconds: number | undefined;
}

/** Query parameters; `undefined` ones are left out. @internal */
export type UpstreamParams = Record<string, string | number | undefined>;

/** One request to an upstream, as its provider describes it. @internal */
export interface UpstreamRequest {
  /** Names the call in errors, logs and the circuit breaker. */
  operation: VerifyNowOperation;
  method: 'GET' | 'POST';
  path: string;
  params: UpstreamParams;
  headers?: Record<string, string>;
}

/** Upstream bodies are small; anything bigger is not a VerifyNow answer. */
const MAX_BODY_BYTES = 1_000_000;
const MAX_RETRY_AFTER_SECONDS = 86_400;

/**
 * Creates the module's own `HttpService`: keep-alive connections, no redirects
 * (a redirect would carry the token elsewhere), every status resolved rather than
 * thrown, and the raw body kept so that non-JSON answers can be recognised.
 *
 * @internal
 */
export function createVerifyNowHttpService(baseUrl: string): HttpService {
  const agents = {
    http: new HttpAgent({ keepAlive: true }),
    https: new HttpsAgent({ keepAlive: true }),
  };
  return new HttpService(
    axios.create({
      adapter: createKeepAliveAdapter(agents, axios.getAdapter('http')),
      baseURL: baseUrl,
      maxRedirects: 0,
      maxContentLength: MAX_BODY_BYTES,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      headers: { Accept: 'application/json, */*' },
      httpAgent: agents.http,
      httpsAgent: agents.https,
    }),
  );
}

/**
 * Errors that prove the request never left: the connection itself failed. Such a
 * request can be sent again without risking a second message.
 */
const NEVER_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
]);

/**
 * Makes one request to the upstream and reports what came back without judging
 * it, behind the circuit breaker and the outbound rate cap, under the configured
 * deadline (which holds whether the upstream is silent or drips its answer).
 * A request is sent again only when its connection provably failed before it
 * was written. Failures to get any answer become {@link VerifyNowUnavailableException};
 * nothing of the request (its URL holds the code and key) goes into the error.
 *
 * @internal
 */
@Injectable()
export class UpstreamHttpClient implements OnApplicationShutdown {
  private readonly logger = new Logger('UpstreamHttpClient');

  constructor(
    @Inject(VERIFYNOW_HTTP_SERVICE) private readonly http: HttpService,
    @Inject(VERIFYNOW_RESOLVED_OPTIONS) private readonly options: ResolvedVerifyNowOptions,
    @Inject(VERIFYNOW_CIRCUIT_BREAKER) private readonly breaker: UpstreamCircuitBreaker,
    @Inject(VERIFYNOW_RATE_LIMITER) private readonly limiter: OutboundRateLimiter | null,
  ) {}

  /**
   * Makes the request within what is left of `deadline` (each request gets
   * `timeoutMs` at most).
   *
   * @throws VerifyNowCircuitOpenException while the breaker is open.
   * @throws VerifyNowOverloadedException when the rate cap's queue is full.
   * @throws VerifyNowUnavailableException when no answer came in time.
   */
  async call(request: UpstreamRequest, deadline: Deadline): Promise<UpstreamResponse> {
    const { operation } = request;
    this.breaker.rejectIfOpen(operation);
    await this.limiter?.acquire(this.budget(deadline, operation));
    const budget = this.budget(deadline, operation);
    return this.breaker.execute(operation, async () => {
      const first = await this.attempt(request, budget);
      if (!('error' in first)) {
        return first;
      }
      if (first.neverSent && deadline.remainingMs() > 0) {
        this.logger.debug({ event: 'verifynow.retry', operation, reason: first.error });
        const second = await this.attempt(request, deadline.remainingMs());
        if (!('error' in second)) {
          return second;
        }
        throw second.failure;
      }
      throw first.failure;
    });
  }

  /** Closes idle keep-alive connections with the application. */
  onApplicationShutdown(): void {
    const defaults = this.http.axiosRef.defaults;
    (defaults.httpAgent as HttpAgent | undefined)?.destroy();
    (defaults.httpsAgent as HttpsAgent | undefined)?.destroy();
  }

  /** Milliseconds a step may take: what is left of the deadline, `timeoutMs` at most. */
  private budget(deadline: Deadline, operation: VerifyNowOperation): number {
    const left = Math.min(this.options.timeoutMs, deadline.remainingMs());
    if (left <= 0) {
      throw deadline.exceeded(operation);
    }
    return left;
  }

  private async attempt(
    { operation, method, path, params, headers }: UpstreamRequest,
    timeoutMs: number,
  ): Promise<
    UpstreamResponse | { error: string; neverSent: boolean; failure: VerifyNowUnavailableException }
  > {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      // The HttpService's own axios instance (its interceptors apply), called
      // directly: its Observable wrapper would cancel every finished request,
      // building an error and a stack trace per call for nothing.
      const response = await this.http.axiosRef.request<unknown>({
        method,
        url: path,
        params,
        headers,
        signal: controller.signal,
      });
      return readResponse(response);
    } catch (error) {
      const code = errorCode(error);
      const timedOut = controller.signal.aborted;
      return {
        error: code,
        neverSent: !timedOut && NEVER_SENT.has(code),
        failure: new VerifyNowUnavailableException(
          timedOut ? `no answer within ${timeoutMs} ms` : `request failed (${code})`,
          { operation },
        ),
      };
    } finally {
      clearTimeout(timer);
    }
  }
}

function readResponse(response: AxiosResponse<unknown>): UpstreamResponse {
  return {
    status: response.status,
    json: parseJson(response.data),
    retryAfterSeconds: parseRetryAfter(response.headers?.['retry-after']),
  };
}

function parseJson(data: unknown): unknown {
  if (typeof data !== 'string') {
    // An interceptor may already have parsed it.
    return data === null || typeof data !== 'object' ? undefined : data;
  }
  const text = data.trim();
  if (!text.startsWith('{') && !text.startsWith('[')) {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function parseRetryAfter(header: unknown): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') {
    return undefined;
  }
  const text = header.trim();
  const seconds = /^\d+$/.test(text)
    ? Number(text)
    : Math.ceil((Date.parse(text) - Date.now()) / 1000);
  if (!Number.isFinite(seconds)) {
    return undefined;
  }
  return Math.min(Math.max(seconds, 0), MAX_RETRY_AFTER_SECONDS);
}

/** A short, secret-free name for why a request failed, e.g. `ECONNREFUSED`. */
function errorCode(error: unknown): string {
  if (isAxiosError(error) && typeof error.code === 'string') {
    return error.code;
  }
  if (error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string') {
    return (error as NodeJS.ErrnoException).code as string;
  }
  return error instanceof Error ? error.name : 'unknown error';
}
