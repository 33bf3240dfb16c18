import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BAGGAGE_TARGETS,
  DEFAULT_IGNORE_PATHS,
  DEFAULT_PROPAGATION_TARGETS,
} from '../../../src/telemetry/config/index.js';
import { parsePatternEntry } from '../../../src/telemetry/config/patterns.js';
import type { Pattern } from '../../../src/telemetry/common/types.js';

function matchesAny(patterns: readonly Pattern[], value: string): boolean {
  return patterns.some((pattern) => (typeof pattern === 'string' ? value.includes(pattern) : pattern.test(value)));
}

describe('default baggage targets: loopback and private-network hosts only', () => {
  it.each([
    'http://localhost:3000/api',
    'http://LOCALHOST/',
    'http://api.localhost:8080',
    'http://127.0.0.1:4318/v1/traces',
    'http://127.255.1.9',
    'http://[::1]:8080/x',
    'http://10.1.2.3/',
    'https://user@10.0.0.1:8443/path?q=1',
    'http://172.16.0.1',
    'http://172.31.255.255:80',
    'http://192.168.1.20/',
    'http://printer.local/',
    'http://billing.svc.cluster.local:8080/charge',
    'http://db.internal:5432',
    // What the consumer may pass instead of a URL: a bare host, host:port, or a peer address as Node reports it.
    'localhost',
    'db.internal:5432',
    '10.0.0.7',
    '::1',
    '::ffff:127.0.0.1',
    '::ffff:192.168.0.4',
  ])('accepts %s', (target) => {
    expect(matchesAny(DEFAULT_BAGGAGE_TARGETS, target)).toBe(true);
  });

  it.each([
    'https://api.openai.com/v1/chat/completions',
    'http://localhost.evil.example/',
    'http://evil.example/?next=localhost',
    'http://evil.example/#@localhost',
    'http://evil.example/10.0.0.1',
    'http://10.example.com/',
    'http://172.32.0.1/',
    'http://172.15.0.1/',
    'http://192.169.0.1/',
    'http://128.0.0.1/',
    'http://8.8.8.8',
    'http://example.local.evil.com/',
    'http://internal.example.com/',
    '93.184.216.34',
    '::ffff:8.8.8.8',
    '2001:db8::1',
  ])('rejects %s', (target) => {
    expect(matchesAny(DEFAULT_BAGGAGE_TARGETS, target)).toBe(false);
  });
});

describe('other defaults', () => {
  it('propagates trace headers to every URL', () => {
    expect(matchesAny(DEFAULT_PROPAGATION_TARGETS, 'https://api.openai.com/v1/chat/completions')).toBe(true);
  });

  it('ignores the health routes', () => {
    expect(DEFAULT_IGNORE_PATHS).toEqual(['/api/health', '/health', '/healthz', '/livez', '/readyz']);
  });
});

describe('pattern entries', () => {
  it.each<[string, Pattern]>([
    ['/api/health', '/api/health'],
    ['/healthz', '/healthz'],
    ['api.example.com', 'api.example.com'],
    ['/^\\/internal\\//', /^\/internal\//],
    ['/ready/i', /ready/i],
    ['/a.b/msu', /a.b/msu],
  ])('%s', (entry, expected) => {
    expect(parsePatternEntry(entry)).toEqual(expected);
  });

  it('keeps regexes stateless: g and y are not regex flags here, so the entry stays a string', () => {
    expect(parsePatternEntry('/x/g')).toBe('/x/g');
  });

  it('returns undefined for an invalid regex', () => {
    expect(parsePatternEntry('/(/')).toBeUndefined();
  });
});
