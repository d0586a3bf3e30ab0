import {
  AxiosAdapter,
  AxiosError,
  AxiosHeaders,
  AxiosResponse,
  CanceledError,
  InternalAxiosRequestConfig,
} from 'axios';
import { Agent as HttpAgent, IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { RequestTarget, fullUrl, requestTarget } from './request-url';

const PROXY_ENV = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY'] as const;

/**
 * An axios adapter for the module's own calls: short query-string requests and
 * small text answers over keep-alive connections. axios's general-purpose Node
 * adapter (redirects, proxies, streams, progress events) costs several times
 * more per call than the request itself on a fast network; this one does only
 * what these calls need, and hands anything else (a proxy, a stream, a body that
 * is not text) to the adapter it replaces, so behaviour never silently narrows.
 *
 * What it keeps of axios's contract: `baseURL`, `url`, `params` (and a custom
 * `paramsSerializer`), headers, `signal` and `cancelToken`,
 * `timeout`, `maxContentLength`, `validateStatus`, errors as `AxiosError` with
 * the socket's `code` (`ECONNREFUSED`...) and `CanceledError` on abort.
 *
 * @internal
 */
export function createKeepAliveAdapter(
  agents: { http: HttpAgent; https: HttpsAgent },
  fallback: AxiosAdapter,
): AxiosAdapter {
  return (config) => {
    if (!canHandle(config)) {
      return fallback(config);
    }
    return send(config, agents);
  };
}

function canHandle(config: InternalAxiosRequestConfig): boolean {
  if (config.proxy !== undefined || PROXY_ENV.some((name) => process.env[name])) {
    return false;
  }
  if (
    config.socketPath ||
    config.responseType !== 'text' ||
    config.onDownloadProgress ||
    config.onUploadProgress
  ) {
    return false;
  }
  const data: unknown = config.data;
  return data === undefined || data === null || typeof data === 'string' || Buffer.isBuffer(data);
}

function send(
  config: InternalAxiosRequestConfig,
  agents: { http: HttpAgent; https: HttpsAgent },
): Promise<AxiosResponse<string>> {
  return new Promise((resolve, reject) => {
    let target: RequestTarget;
    try {
      target = requestTarget(fullUrl(config));
    } catch (error) {
      reject(AxiosError.from(error, AxiosError.ERR_INVALID_URL, config));
      return;
    }
    const isHttps = target.protocol === 'https:';
    if (!isHttps && target.protocol !== 'http:') {
      reject(
        new AxiosError(
          `Unsupported protocol ${target.protocol}`,
          AxiosError.ERR_BAD_REQUEST,
          config,
        ),
      );
      return;
    }
    const body =
      config.data === undefined || config.data === null
        ? undefined
        : (config.data as string | Buffer);
    const headers = AxiosHeaders.from(config.headers);
    headers.setContentLength(
      body === undefined ? (config.method === 'get' ? null : 0) : Buffer.byteLength(body),
      true,
    );
    if (body === undefined) {
      headers.delete('Content-Type');
    }
    if (!headers.has('User-Agent')) {
      headers.set('User-Agent', 'nestjs-verifynow');
    }

    let settled = false;
    const finish = (error: Error | undefined, response?: AxiosResponse<string>): void => {
      if (settled) return;
      settled = true;
      config.signal?.removeEventListener?.('abort', onAbort);
      config.cancelToken?.unsubscribe(onCancel);
      if (error) {
        reject(error);
      } else {
        resolve(response as AxiosResponse<string>);
      }
    };
    const onAbort = (): void => {
      request.destroy();
      finish(new CanceledError(undefined, config, request));
    };
    // Unsubscribed when the request ends: a long-lived token collects no listeners.
    const onCancel = (cancel: unknown): void => {
      request.destroy();
      finish(cancel instanceof Error ? cancel : new CanceledError(undefined, config, request));
    };

    const request = (isHttps ? httpsRequest : httpRequest)({
      ...target,
      method: (config.method ?? 'get').toUpperCase(),
      headers: headers.toJSON(),
      agent: isHttps ? agents.https : agents.http,
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      finish(AxiosError.from(error, error.code, config, request));
    });
    request.on('response', (response) => {
      readBody(response, config, (error, text) => {
        if (error) {
          request.destroy();
          finish(error);
          return;
        }
        const result: AxiosResponse<string> = {
          data: text as string,
          status: response.statusCode ?? 0,
          statusText: response.statusMessage ?? '',
          headers: AxiosHeaders.from(response.headers as Record<string, string>),
          config,
          request,
        };
        const validate = config.validateStatus;
        if (!result.status || !validate || validate(result.status)) {
          finish(undefined, result);
        } else {
          finish(
            new AxiosError(
              `Request failed with status code ${result.status}`,
              result.status < 500 ? AxiosError.ERR_BAD_REQUEST : AxiosError.ERR_BAD_RESPONSE,
              config,
              request,
              result,
            ),
          );
        }
      });
    });
    if (config.timeout) {
      request.setTimeout(config.timeout, () => {
        request.destroy();
        finish(
          new AxiosError(
            config.timeoutErrorMessage ?? `timeout of ${config.timeout}ms exceeded`,
            config.transitional?.clarifyTimeoutError
              ? AxiosError.ETIMEDOUT
              : AxiosError.ECONNABORTED,
            config,
            request,
          ),
        );
      });
    }
    if (config.signal) {
      if (config.signal.aborted) {
        onAbort();
        return;
      }
      config.signal.addEventListener?.('abort', onAbort);
    }
    config.cancelToken?.subscribe(onCancel);
    request.end(body);
  });
}

function readBody(
  response: IncomingMessage,
  config: InternalAxiosRequestConfig,
  done: (error: AxiosError | undefined, text?: string) => void,
): void {
  const limit =
    config.maxContentLength !== undefined && config.maxContentLength > -1
      ? config.maxContentLength
      : Infinity;
  const encoding = String(response.headers['content-encoding'] ?? '').toLowerCase();
  const source =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? response.pipe(createGunzip())
      : encoding === 'deflate'
        ? response.pipe(createInflate())
        : encoding === 'br'
          ? response.pipe(createBrotliDecompress())
          : response;
  const chunks: Buffer[] = [];
  let length = 0;
  let failed = false;
  const fail = (error: AxiosError): void => {
    if (failed) return;
    failed = true;
    response.destroy();
    done(error);
  };
  source.on('data', (chunk: Buffer) => {
    length += chunk.length;
    if (length > limit) {
      fail(
        new AxiosError(
          `maxContentLength size of ${limit} exceeded`,
          AxiosError.ERR_BAD_RESPONSE,
          config,
        ),
      );
      return;
    }
    chunks.push(chunk);
  });
  source.on('error', (error: NodeJS.ErrnoException) =>
    fail(AxiosError.from(error, error.code, config)),
  );
  response.on('aborted', () =>
    fail(new AxiosError('stream has been aborted', AxiosError.ERR_BAD_RESPONSE, config)),
  );
  source.on('end', () => {
    if (!failed) {
      done(
        undefined,
        (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length)).toString('utf8'),
      );
    }
  });
}
