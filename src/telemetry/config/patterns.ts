/**
 * Pattern lists (propagation targets, baggage targets, ignored paths) written in environment variables, and
 * their defaults.
 */
import type { Pattern } from '../common/types.js';
import type { EnvReader } from './env-reader.js';

// Only flags that keep `RegExp.test` stateless: `g` and `y` make it remember `lastIndex` between calls.
const REGEX_ENTRY = /^\/(.+)\/([imsu]*)$/s;

export const PATTERN_LIST_ACCEPTED =
  'a comma list of strings and /regular expressions/ (flags i, m, s, u); a regex cannot contain a comma (write \\x2c)';

/** Every URL: Sentry's Node SDK propagates to every host when no targets are given. */
export const DEFAULT_PROPAGATION_TARGETS: readonly Pattern[] = [/.*/];

export const DEFAULT_IGNORE_PATHS: readonly Pattern[] = ['/api/health', '/health', '/healthz', '/livez', '/readyz'];

/**
 * Matches a host whether the consumer tests a full URL (`http://user@10.0.0.3:8080/x`), a `host:port`, a bare
 * host or a peer address as Node reports it (`::1`, `::ffff:127.0.0.1`). Anchored at both ends so that
 * `http://localhost.evil.example` or `https://evil.example/?localhost` never match.
 */
function hostPattern(host: string): RegExp {
  return new RegExp(String.raw`^(?:[a-z][a-z\d+.-]*:\/\/)?(?:[^@\/?#]*@)?(?:${host})(?::\d+)?(?:[\/?#]|$)`, 'i');
}

const OCTET = String.raw`(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)`;
// Node reports IPv4 peers on dual-stack sockets as IPv4-mapped IPv6 addresses.
const MAPPED = String.raw`(?:\[?::ffff:)?`;
const MAPPED_END = String.raw`\]?`;

/** Loopback and private-network hosts: the only receivers of non-Sentry baggage (tenant ids) by default. */
export const DEFAULT_BAGGAGE_TARGETS: readonly Pattern[] = [
  hostPattern(String.raw`localhost|[a-z\d-]+(?:\.[a-z\d-]+)*\.localhost`),
  hostPattern(`${MAPPED}127\\.${OCTET}\\.${OCTET}\\.${OCTET}${MAPPED_END}`),
  hostPattern(String.raw`\[::1\]|::1`),
  hostPattern(`${MAPPED}10\\.${OCTET}\\.${OCTET}\\.${OCTET}${MAPPED_END}`),
  hostPattern(`${MAPPED}172\\.(?:1[6-9]|2\\d|3[01])\\.${OCTET}\\.${OCTET}${MAPPED_END}`),
  hostPattern(`${MAPPED}192\\.168\\.${OCTET}\\.${OCTET}${MAPPED_END}`),
  // *.svc.cluster.local is a *.local name; it stays listed so the documentation and the list agree.
  hostPattern(String.raw`[a-z\d-]+(?:\.[a-z\d-]+)*\.svc\.cluster\.local`),
  hostPattern(String.raw`[a-z\d-]+(?:\.[a-z\d-]+)*\.local`),
  hostPattern(String.raw`[a-z\d-]+(?:\.[a-z\d-]+)*\.internal`),
];

/** One entry: `/body/flags` is a RegExp, anything else a plain string. Undefined when the regex is invalid. */
export function parsePatternEntry(entry: string): Pattern | undefined {
  const regex = REGEX_ENTRY.exec(entry);
  if (!regex) return entry;
  try {
    return new RegExp(regex[1] ?? '', regex[2]);
  } catch {
    // An invalid regex is the answer, not a failure: the caller reports it as a configuration problem.
    return undefined;
  }
}

export function readPatternList(reader: EnvReader, name: string): Pattern[] | undefined {
  const entries = reader.list(name);
  if (entries === undefined) return undefined;
  const patterns: Pattern[] = [];
  for (const entry of entries) {
    const pattern = parsePatternEntry(entry);
    if (pattern === undefined) {
      reader.problems.invalid(name, entry, PATTERN_LIST_ACCEPTED, 'this entry is not a valid regular expression');
      return undefined;
    }
    patterns.push(pattern);
  }
  return patterns;
}
