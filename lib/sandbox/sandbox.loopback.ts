import { IncomingMessage } from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';
import { IPv6 } from 'ipaddr.js';

/**
 * Why the sandbox refuses foreign hosts: a web page on a name that resolves to
 * loopback (DNS rebinding) could otherwise read the codes in its outbox.
 *
 * @internal
 */
export const FOREIGN_HOST_MESSAGE =
  'The VerifyNow sandbox answers only requests whose Host is a loopback name or address ' +
  '(localhost, *.localhost, 127.0.0.0/8 or [::1]).';

/**
 * Whether a request is addressed to a loopback host: its `Host` header and, for an
 * absolute-form request target (`GET http://host/path`), that target's host too.
 *
 * @internal
 */
export function isLoopbackRequest(request: IncomingMessage): boolean {
  if (!isLoopbackHost(request.headers.host)) {
    return false;
  }
  const target = request.url ?? '/';
  if (target.startsWith('/') || target === '*') {
    return true;
  }
  try {
    return isLoopbackHost(new URL(target).host);
  } catch {
    return false;
  }
}

/**
 * Whether a `Host` value names loopback: `localhost` or a name ending in
 * `.localhost`, an address in 127.0.0.0/8, or `::1` (bare or in brackets), each
 * with or without a port. Anything else, a missing value included, is not.
 */
function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined || host.length > 300 || host.includes('%')) {
    return false;
  }
  const value = host.toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    return end !== -1 && isPort(value.slice(end + 1)) && isLoopbackIPv6(value.slice(1, end));
  }
  if (isIPv6(value)) {
    return isLoopbackIPv6(value);
  }
  const colon = value.indexOf(':');
  const name = colon === -1 ? value : value.slice(0, colon);
  if (colon !== -1 && !isPort(value.slice(colon))) {
    return false;
  }
  if (isIPv4(name)) {
    return name.startsWith('127.');
  }
  // A fully qualified name may end with a dot: `localhost.` is `localhost`.
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  return (
    bare === 'localhost' ||
    (bare.endsWith('.localhost') && /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+localhost$/.test(bare))
  );
}

/** An empty string, or `:` and up to five digits. */
function isPort(text: string): boolean {
  return /^(:\d{0,5})?$/.test(text);
}

/** `::1`, or an IPv4-mapped address in 127.0.0.0/8. */
function isLoopbackIPv6(text: string): boolean {
  if (!isIPv6(text)) {
    return false;
  }
  const address = IPv6.parse(text);
  return address.isIPv4MappedAddress()
    ? address.toIPv4Address().range() === 'loopback'
    : address.range() === 'loopback';
}
