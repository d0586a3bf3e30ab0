import { IncomingHttpHeaders, OutgoingHttpHeaders, request as httpRequest } from 'node:http';

/** An HTTP answer, read whole. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** The body parsed as JSON, or the raw text when it is not JSON. */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** POSTs JSON over a real loopback socket. */
export async function postJson(url: string, body: unknown): Promise<HttpAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return read(response);
}

/** Any request over a real loopback socket. */
export async function request(url: string, init: RequestInit = {}): Promise<HttpAnswer> {
  return read(await fetch(url, init));
}

async function read(response: Response): Promise<HttpAnswer> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body };
}

/** An answer read over node:http. */
export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body parsed as JSON, or the raw text when it is not JSON. */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * One request over a fresh loopback connection with node:http, which (unlike
 * `fetch`) lets a test set or leave out `Host` and repeat a header line (an
 * array value is sent as that many lines).
 */
export function rawRequest(
  url: string,
  options: {
    method?: string;
    headers?: OutgoingHttpHeaders;
    body?: string;
    setHost?: boolean;
    /** The request target as written, e.g. an absolute-form `http://host/path`. */
    target?: string;
  } = {},
): Promise<RawAnswer> {
  const { hostname, port, pathname, search } = new URL(url);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        hostname,
        port,
        path: options.target ?? `${pathname}${search}`,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: false,
        setHost: options.setHost ?? true,
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

/**
 * The headers of a step-up request in the specs: the signed-in user's phone
 * (`x-phone`, read by the fixtures' auth) and the proof, when given.
 */
export function stepUpHeaders(
  phone: string | undefined,
  proof: { verificationId: string; code: string } | undefined,
): Record<string, string> {
  return {
    ...(phone ? { 'x-phone': phone } : {}),
    ...(proof ? { 'x-otp-verification-id': proof.verificationId, 'x-otp-code': proof.code } : {}),
  };
}
