import { isIPv4, isIPv6 } from 'node:net';
import { IPv4, IPv6 } from 'ipaddr.js';
import { VerifyNowInvalidInputException } from '../errors/verifynow.exception';

/** Longest accepted text: a full IPv6 address with an embedded IPv4 (45) and a zone id. */
const MAX_CLIENT_ADDRESS_LENGTH = 64;
/** An RFC 4007 zone id (`eth0`, `3`, `en0.1`): printable, no space, no `%` or `/`. */
const ZONE_ID = /^[0-9A-Za-z._~:-]{1,32}$/;
const INVALID_CLIENT_ADDRESS = 'clientIp must be an IPv4 or IPv6 address, e.g. 203.0.113.7.';

/**
 * The key the per-client-IP send limit counts under: one key per client, however
 * its address is written.
 *
 * - IPv4: its dotted quad, e.g. `'203.0.113.7'`.
 * - IPv4-mapped IPv6 (`::ffff:203.0.113.7`, `::FFFF:cb00:7107`): the IPv4, so a
 *   dual-stack socket and an IPv4 one count as one client.
 * - Any other IPv6: its /64 prefix, e.g. `'2001:db8:0:0::/64'` for `2001:DB8::1`,
 *   since one subscriber usually holds a whole /64 and can pick any address in it.
 * - A zone id (`fe80::1%eth0`) is dropped: it names the receiving interface, not
 *   the client, and ignoring it cannot give a client a second quota.
 *
 * Parsing is strict: only the four-part decimal IPv4 form (no `127.1`, `0x7f.0.0.1`
 * or leading zeros) and the standard IPv6 text forms.
 *
 * @example clientAddressKey('::ffff:192.0.2.1') // '192.0.2.1'
 * @example clientAddressKey('2001:DB8::1')      // '2001:db8:0:0::/64'
 * @throws VerifyNowInvalidInputException (400 `INVALID_INPUT`) for anything that is
 *   not an IP address; the message never repeats the value.
 * @internal
 */
export function clientAddressKey(ip: string): string {
  if (typeof ip !== 'string' || ip.length === 0 || ip.length > MAX_CLIENT_ADDRESS_LENGTH) {
    throw invalidClientAddress();
  }
  if (isIPv4(ip)) {
    return IPv4.parse(ip).toString();
  }
  const zoneStart = ip.indexOf('%');
  const address = zoneStart === -1 ? ip : ip.slice(0, zoneStart);
  if (zoneStart !== -1 && !ZONE_ID.test(ip.slice(zoneStart + 1))) {
    throw invalidClientAddress();
  }
  if (!isIPv6(address)) {
    throw invalidClientAddress();
  }
  let parsed: IPv6;
  try {
    parsed = IPv6.parse(address);
  } catch {
    throw invalidClientAddress();
  }
  if (parsed.isIPv4MappedAddress()) {
    return parsed.toIPv4Address().toString();
  }
  return `${parsed.parts
    .slice(0, 4)
    .map((part) => part.toString(16))
    .join(':')}::/64`;
}

function invalidClientAddress(): VerifyNowInvalidInputException {
  return new VerifyNowInvalidInputException(INVALID_CLIENT_ADDRESS);
}
