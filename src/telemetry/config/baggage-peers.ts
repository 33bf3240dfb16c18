/**
 * The peers whose non-Sentry baggage (a `tenant.id` claim and the like) the layer accepts: IP addresses and CIDR
 * ranges, matched against the socket's remote address. Addresses, not host patterns, because a peer is only
 * known by its address, and exact ranges, because a substring rule would let `10.0.0.1` admit `10.0.0.12`.
 * No peer by default: behind a load balancer every client arrives from a private address.
 */
import { BlockList, isIP } from 'node:net';
import type { EnvReader } from './env-reader.js';
import { reportInternalError } from '../common/internal-errors.js';

export const PEER_LIST_ACCEPTED =
  'a comma list of IP addresses and CIDR ranges, e.g. 10.0.4.7,10.8.0.0/16,fd00::/8 (empty: no peer)';

interface PeerEntry {
  address: string;
  family: 'ipv4' | 'ipv6';
  prefix?: number;
}

function parsePeerEntry(entry: string): PeerEntry | string {
  if (entry.startsWith('/')) return 'a regular expression is not accepted here (a peer is matched by its address)';
  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const version = isIP(address);
  if (version === 0)
    return `${JSON.stringify(address)} is not an IP address (host names are not accepted: a peer is known by its address)`;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  if (slash === -1) return { address, family };
  const prefixText = entry.slice(slash + 1);
  const max = version === 4 ? 32 : 128;
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix >= 0 && prefix <= max)) return `the prefix length ${JSON.stringify(prefixText)} is not 0 to ${max}`;
  return { address, family, prefix };
}

/** Why an entry is refused, or undefined when it is an IP address or a CIDR range. */
export function peerEntryProblem(entry: string): string | undefined {
  const parsed = parsePeerEntry(entry);
  return typeof parsed === 'string' ? parsed : undefined;
}

export function readPeerList(reader: EnvReader, name: string): string[] | undefined {
  const entries = reader.list(name);
  if (entries === undefined) return undefined;
  for (const entry of entries) {
    const problem = peerEntryProblem(entry);
    if (problem !== undefined) {
      reader.problems.invalid(name, entry, PEER_LIST_ACCEPTED, problem);
      return undefined;
    }
  }
  return entries;
}

/**
 * A matcher for remote addresses as Node reports them (`10.0.0.3`, `::1`, `::ffff:10.0.0.3`: an IPv4 range also
 * admits its IPv4-mapped IPv6 form). Entries are validated at start-up; one that slipped through is skipped.
 */
export function peerMatcher(entries: readonly string[]): (address: string) => boolean {
  if (entries.length === 0) return () => false;
  const list = new BlockList();
  for (const entry of entries) {
    const parsed = parsePeerEntry(entry);
    if (typeof parsed === 'string') continue;
    try {
      if (parsed.prefix === undefined) list.addAddress(parsed.address, parsed.family);
      else list.addSubnet(parsed.address, parsed.prefix, parsed.family);
    } catch (error) {
      // Refused by node:net although isIP accepted it: that entry admits no one rather than failing start-up.
      reportInternalError('config.baggage-peers', error);
    }
  }
  return (address) => {
    const version = isIP(address);
    return version !== 0 && list.check(address, version === 4 ? 'ipv4' : 'ipv6');
  };
}
