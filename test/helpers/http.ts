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
