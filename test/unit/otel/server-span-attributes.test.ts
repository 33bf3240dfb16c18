// The diagnostics-channel server span's request attributes must be those the installed instrumentation-http
// computes for the same request: compared with its own function, over fixed edge cases and generated paths.
import { createRequire } from 'node:module';
import type { IncomingMessage } from 'node:http';
import type { Attributes, DiagLogger } from '@opentelemetry/api';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { incomingRequestAttributes, type Component } from '../../../src/telemetry/otel/server-span-attributes.js';

interface UpstreamOptions {
  component: string;
  enableSyntheticSourceDetection: boolean;
  redactedQueryParams: string[];
}
const require = createRequire(import.meta.url);
const upstream = require('@opentelemetry/instrumentation-http/build/src/utils.js') as {
  getIncomingRequestAttributes(request: IncomingMessage, options: UpstreamOptions, logger: DiagLogger): Attributes;
};
const { DEFAULT_QUERY_STRINGS_TO_REDACT } =
  require('@opentelemetry/instrumentation-http/build/src/internal-types.js') as {
    DEFAULT_QUERY_STRINGS_TO_REDACT: string[];
  };
const silent = { verbose: () => {}, debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

interface FakeRequest {
  method?: string;
  url?: string;
  headers?: Record<string, string | string[] | undefined>;
  httpVersion?: string;
  remoteAddress?: string;
}

function fake(spec: FakeRequest): IncomingMessage {
  return {
    method: spec.method ?? 'GET',
    url: spec.url,
    headers: spec.headers ?? { host: '127.0.0.1:3000' },
    httpVersion: spec.httpVersion ?? '1.1',
    socket: { remoteAddress: spec.remoteAddress ?? '127.0.0.1', remotePort: 51234 },
  } as unknown as IncomingMessage;
}

function expectSame(spec: FakeRequest, component: Component = 'http'): void {
  const request = fake(spec);
  const expected = upstream.getIncomingRequestAttributes(
    request,
    { component, enableSyntheticSourceDetection: false, redactedQueryParams: [...DEFAULT_QUERY_STRINGS_TO_REDACT] },
    silent,
  );
  expect({ spec, component, attributes: incomingRequestAttributes(request, component) }).toEqual({
    spec,
    component,
    attributes: expected,
  });
}

const URLS = [
  '/',
  '/hello',
  '/api/tickets/42',
  '/api/tickets/42?sig=abc&page=2',
  '/a?',
  '/a#frag',
  '/a/./b',
  '/a/../b',
  '/a/%2e%2E/b',
  '/.hidden',
  '//evil.example/x',
  '/\\evil',
  '/a b',
  '/caf\u00e9',
  '/a%zz',
  '/a%2Fb',
  "/it's",
  '/{x}',
  '/a|b',
  '/a^b',
  '/a`b',
  '/a"b',
  '*',
  'http://other.example:81/abs?x=1',
  '',
  undefined,
];
const HOSTS = [
  { host: '127.0.0.1:3000' },
  { host: 'example.com' },
  { host: '[::1]:8080' },
  { host: '[::1]' },
  { host: 'bad host' },
  { host: 'example.com:99999' },
  { host: '' },
  {},
  { host: 'h:1', forwarded: 'for=192.0.2.60;proto=https;host=front.example:8443' },
  { host: 'h:1', forwarded: 'for="[2001:db8::1]:4711"' },
  { host: 'h:1', forwarded: 'garbage===' },
  { host: 'h:1', 'x-forwarded-host': 'fwd.example', 'x-forwarded-proto': 'https' },
  { host: 'h:1', 'x-forwarded-host': ['fwd.example:99', 'other'], 'x-forwarded-proto': ['http'] },
  { host: 'h:1', 'x-forwarded-for': '203.0.113.9:1234, 10.0.0.1' },
  { host: 'h:1', 'x-forwarded-for': ['[2001:db8::2]:80'] },
  { host: 'h:1', 'user-agent': 'curl/8.0' },
];

describe('diagnostics-channel server span attributes', () => {
  it('equal instrumentation-http’s for every path and host of the corpus', () => {
    for (const url of URLS) {
      for (const headers of HOSTS) {
        expectSame({ url, headers });
        expectSame({ url, headers }, 'https');
      }
    }
  });

  it('equal them for methods, protocol versions and peers', () => {
    for (const method of ['GET', 'get', 'PURGE', 'QUERY', 'patch', undefined]) expectSame({ method, url: '/x' });
    expectSame({ url: '/x', httpVersion: '2.0' });
    expectSame({ url: '/x', remoteAddress: '::ffff:10.1.2.3' });
    expectSame({ url: '/x', remoteAddress: '' });
  });

  it('equal them for generated paths and queries', () => {
    const char = fc.constantFrom(...'aZ09-._~!$&\'()*+,;=:@/%?#\\ "<>`{}|^[]\u00e9'.split(''));
    fc.assert(
      fc.property(fc.array(char, { maxLength: 24 }), (chars) => {
        expectSame({ url: `/${chars.join('')}` });
      }),
      { numRuns: 2000 },
    );
  });
});
