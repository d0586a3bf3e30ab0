import axios, { InternalAxiosRequestConfig } from 'axios';
import { urlToHttpOptions } from 'node:url';

/** Where a request goes, as `http.request()` takes it. @internal */
export interface RequestTarget {
  protocol: string;
  hostname: string;
  /** Absent for the scheme's default port. */
  port?: number;
  /** The path and query string. */
  path: string;
  /** `user:password` from the URL, when it has them. */
  auth?: string;
}

const ABSOLUTE_URL = /^([a-z][a-z\d+\-.]*:)?\/\//i;

/**
 * The request's URL as axios builds it (`baseURL`, `url`, `params`), without
 * merging the configuration a second time as `axios.getUri()` does: flat
 * parameters of strings, numbers and booleans are encoded here exactly as
 * axios's default serializer encodes them; anything else goes to `getUri`.
 *
 * @internal
 */
export function fullUrl(config: InternalAxiosRequestConfig): string {
  const params: unknown = config.params;
  const serializer = config.paramsSerializer as
    { encode?: unknown; serialize?: unknown } | undefined;
  if (serializer?.encode || serializer?.serialize || typeof serializer === 'function') {
    return axios.getUri(config);
  }
  let query = '';
  if (params !== undefined && params !== null) {
    if (Object.getPrototypeOf(params) !== Object.prototype) {
      return axios.getUri(config);
    }
    for (const [key, value] of Object.entries(params as Record<string, unknown>)) {
      if (value === undefined || value === null) continue;
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        return axios.getUri(config);
      }
      query += `${query === '' ? '' : '&'}${encodeParam(key)}=${encodeParam(String(value))}`;
    }
  }
  const url = config.url ?? '';
  let path =
    config.baseURL && (!ABSOLUTE_URL.test(url) || config.allowAbsoluteUrls === false)
      ? url
        ? `${config.baseURL.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`
        : config.baseURL
      : url;
  if (query !== '') {
    const hash = path.indexOf('#');
    if (hash !== -1) path = path.slice(0, hash);
    path += (path.includes('?') ? '&' : '?') + query;
  }
  return path;
}

/** What axios's default serializer writes back after `encodeURIComponent`. */
const KEPT: Readonly<Record<string, string>> = { '%3A': ':', '%24': '$', '%2C': ',', '%20': '+' };

/** axios's default parameter encoding; a value with nothing to escape is returned as it is. */
function encodeParam(value: string): string {
  const encoded = encodeURIComponent(value);
  return encoded.includes('%')
    ? encoded.replace(/%(?:3A|24|2C|20)/g, (kept) => KEPT[kept])
    : encoded;
}

/**
 * A URL the WHATWG parser would leave exactly as written: `http` or `https`; a
 * lower-case host name whose last label starts with a letter (and no label is
 * punycode) or a dotted IPv4 address without leading zeros; a port without
 * leading zeros; a path and query of characters that need no encoding. Anything
 * else (user info, IPv6, upper case, `.` segments, spaces, quotes, a
 * fragment...) is parsed by `URL`.
 */
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const PLAIN_URL = new RegExp(
  '^(https?:)//' +
    `((?:${OCTET}\\.){3}${OCTET}|(?:(?!xn--)[a-z\\d-]+\\.)*(?!xn--)[a-z][a-z\\d-]*)` +
    '(?::([1-9]\\d{0,4}))?' +
    '(/[\\w\\-.~%!$&()*+,;=:@/]*(?:\\?[\\w\\-.~%!$&()*+,;=:@/?]*)?)?$',
);
/** A `.` or `..` segment, which the parser removes; `%2e` is a dot to it too. */
const DOT_SEGMENT = /\/(?:\.|%2e){1,2}(?:[/?]|$)/i;
const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

/**
 * What `http.request()` needs of `url`, as Node's `urlToHttpOptions(new URL(url))`
 * gives it (protocol, host name, port, path and query, auth), read straight off
 * a plain URL (see {@link PLAIN_URL}): parsing a `URL` and converting it costs
 * more than a short request's own work.
 *
 * @throws TypeError (`ERR_INVALID_URL`) when `url` is not a URL.
 * @internal
 */
export function requestTarget(url: string): RequestTarget {
  const plain = PLAIN_URL.exec(url);
  const port = plain?.[3] === undefined ? undefined : Number(plain[3]);
  if (
    plain !== null &&
    !DOT_SEGMENT.test(plain[4] ?? '') &&
    !(port !== undefined && port > 65535)
  ) {
    const [, protocol, hostname, , path] = plain;
    return {
      protocol,
      hostname,
      path: path ?? '/',
      ...(port === undefined || port === DEFAULT_PORTS[protocol] ? {} : { port }),
    };
  }
  const options = urlToHttpOptions(new URL(url));
  return {
    protocol: options.protocol ?? '',
    hostname: options.hostname ?? '',
    path: options.path ?? '/',
    ...(options.port === undefined || options.port === '' ? {} : { port: Number(options.port) }),
    ...(typeof options.auth === 'string' ? { auth: options.auth } : {}),
  };
}
