import { STATUS_CODES } from 'node:http';

/** Headers of a reply besides `Content-Type` and `Content-Length`. @internal */
export type SandboxReplyHeaders = Readonly<Record<string, string>>;

/** A reply whose body is `json`, serialized. @internal */
export interface SandboxJsonReply<T = unknown> {
  status: number;
  headers?: SandboxReplyHeaders;
  json: T;
}

/** A reply whose body is an HTML page. @internal */
export interface SandboxHtmlReply {
  status: number;
  headers?: SandboxReplyHeaders;
  html: string;
}

/**
 * What a sandbox route answers: plain data, written to the socket by the server,
 * so that routes and state are testable without one.
 *
 * @internal
 */
export type SandboxReply<T = unknown> = SandboxJsonReply<T> | SandboxHtmlReply;

/**
 * A JSON reply the server does not write: it drops the connection unanswered
 * instead, as an upstream that died mid-request would. `status` and `json` are
 * the fallback wherever a connection cannot be dropped.
 *
 * @internal
 */
export interface SandboxResetReply<T = unknown> extends SandboxJsonReply<T> {
  reset: true;
}

/** Whether the server answers a reply by dropping the connection. @internal */
export function isResetReply(reply: SandboxReply): reply is SandboxResetReply {
  return 'reset' in reply && reply.reset === true;
}

/** A JSON reply. @internal */
export function jsonReply<T>(
  status: number,
  json: T,
  headers?: SandboxReplyHeaders,
): SandboxJsonReply<T> {
  return headers === undefined ? { status, json } : { status, headers, json };
}

/**
 * An HTML error page like a Spring Boot service's without an error view: the
 * "Whitelabel Error Page".
 *
 * @internal
 */
export function whitelabelReply(status: number): SandboxHtmlReply {
  const reason = STATUS_CODES[status] ?? 'Error';
  const html =
    '<html><body><h1>Whitelabel Error Page</h1>' +
    '<p>This application has no explicit mapping for /error, so you are seeing this as a fallback.</p>' +
    `<div>${new Date().toUTCString()}</div>` +
    `<div>There was an unexpected error (type=${reason}, status=${status}).</div></body></html>`;
  return { status, html };
}
