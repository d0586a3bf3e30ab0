import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import axios, { AxiosResponse } from 'axios';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { ResolvedVerifyNowOptions } from '../config/verifynow-options.resolver';
import { VerifyNowOperation } from '../errors/verifynow.exception';
import type { Deadline } from '../resilience/call.deadline';
import type { DeadlineSignal } from '../resilience/deadline.signal';
import type { RateCap } from '../resilience/rate-cap';
import {
  CircuitBreakerState,
  UpstreamCircuitBreaker,
} from '../resilience/upstream-circuit.breaker';
import { UpstreamPolicy } from '../resilience/upstream.policy';
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
  /** A JSON body (sent as `application/json`); none when unset. */
  body?: Record<string, unknown>;
}

/** Upstream bodies are small; anything bigger is not a VerifyNow answer. */
const MAX_BODY_BYTES = 1_000_000;
const MAX_RETRY_AFTER_SECONDS = 86_400;

/**
 * For the client benchmark only (`bench/`): when this environment variable is
 * `1` as the module starts, its axios instance keeps axios's own http adapter
 * (with the same keep-alive agents) instead of the keep-alive adapter, so that
 * the two can be measured side by side.
 *
 * @internal
 */
export const BENCH_AXIOS_ADAPTER_ENV = 'NESTJS_VERIFYNOW_BENCH_AXIOS_ADAPTER';

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
  const axiosAdapter = axios.getAdapter('http');
  return new HttpService(
    axios.create({
      adapter:
        process.env[BENCH_AXIOS_ADAPTER_ENV] === '1'
          ? axiosAdapter
          : createKeepAliveAdapter(agents, axiosAdapter),
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
 * Makes requests to the upstream and reports what came back without judging it,
 * under the upstream's resilience policy (`UpstreamPolicy`: breaker, rate cap,
 * deadline, the one resend and the idempotent retries). Failures to get any
 * answer become `VerifyNowUnavailableException`; nothing of the request
 * (its URL holds the code and key) goes into the error.
 *
 * @internal
 */
@Injectable()
export class UpstreamHttpClient implements OnApplicationShutdown {
  private readonly policy: UpstreamPolicy;

  constructor(
    @Inject(VERIFYNOW_HTTP_SERVICE) private readonly http: HttpService,
    @Inject(VERIFYNOW_RESOLVED_OPTIONS) options: ResolvedVerifyNowOptions,
    @Inject(VERIFYNOW_CIRCUIT_BREAKER) breaker: UpstreamCircuitBreaker,
    @Inject(VERIFYNOW_RATE_LIMITER) private readonly limiter: RateCap | null,
  ) {
    this.policy = new UpstreamPolicy(options, breaker, limiter);
  }

  /**
   * Makes the request within what is left of `deadline` (each attempt gets
   * `timeoutMs` at most). It is sent again only when its connection provably
   * failed before it was written.
   *
   * @throws VerifyNowCircuitOpenException while the breaker is open.
   * @throws VerifyNowOverloadedException when the rate cap's queue is full.
   * @throws VerifyNowUnavailableException when no answer came in time.
   */
  call(request: UpstreamRequest, deadline: Deadline): Promise<UpstreamResponse> {
    return this.policy.request(request.operation, deadline, (signal) => this.send(request, signal));
  }

  /**
   * Makes an idempotent request (the token's) and reads its answer with `read`,
   * again after a passing failure (what `read` or {@link call} throws), with
   * backoff, all within `deadline`; `stop` ends the waits.
   */
  callIdempotent<T>(
    request: UpstreamRequest,
    deadline: Deadline,
    read: (response: UpstreamResponse) => T,
    stop?: AbortSignal,
  ): Promise<T> {
    return this.policy.idempotent(
      request.operation,
      deadline,
      async () => read(await this.call(request, deadline)),
      stop,
    );
  }

  /** Where this client's circuit breaker stands, for health. */
  get breakerState(): CircuitBreakerState {
    return this.policy.breakerState;
  }

  /** Its rate cap: scope, rate and queue; `null` without a cap. */
  get rateCap(): RateCap | null {
    return this.limiter;
  }

  /**
   * Fails the callers waiting for the rate cap (a cap that is no Nest provider,
   * Verihubs', has no one else to close it) and closes idle keep-alive
   * connections, with the application.
   */
  onApplicationShutdown(): void {
    this.limiter?.close();
    const defaults = this.http.axiosRef.defaults;
    (defaults.httpAgent as HttpAgent | undefined)?.destroy();
    (defaults.httpsAgent as HttpsAgent | undefined)?.destroy();
  }

  private async send(
    { method, path, params, headers, body }: UpstreamRequest,
    signal: DeadlineSignal,
  ): Promise<UpstreamResponse> {
    // The HttpService's own axios instance (its interceptors apply), called
    // directly: its Observable wrapper would cancel every finished request,
    // building an error and a stack trace per call for nothing.
    const response = await this.http.axiosRef.request<unknown>({
      method,
      url: path,
      params,
      headers: body === undefined ? headers : { ...headers, 'Content-Type': 'application/json' },
      // axios writes the JSON (a string given here would be parsed again to check it).
      data: body,
      signal,
    });
    return readResponse(response);
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
