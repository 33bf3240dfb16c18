import { describe, expect, it } from 'vitest';
import { ignoreOwnTraffic, requestOptionsUrl } from '../../../src/telemetry/otel/own-traffic.js';

describe('requestOptionsUrl', () => {
  it('writes http.request options as the URL the prefixes use', () => {
    expect(requestOptionsUrl({ protocol: 'http:', hostname: '127.0.0.1', port: 4318, path: '/v1/traces' })).toBe(
      'http://127.0.0.1:4318/v1/traces',
    );
    expect(requestOptionsUrl({ protocol: 'https:', host: 'o1.ingest.sentry.io:443', path: '/api/1/envelope/' })).toBe(
      'https://o1.ingest.sentry.io/api/1/envelope/',
    );
    expect(requestOptionsUrl({ hostname: '::1', port: '8080' })).toBe('http://[::1]:8080/');
  });
});

describe('ignoreOwnTraffic', () => {
  const own = (url: string): boolean => url.startsWith('http://127.0.0.1:4318/v1/traces');

  it('refuses the own URLs in both instrumentations and keeps the hooks it was given', () => {
    const hooks = ignoreOwnTraffic({ http: { ignoreOutgoingRequestHook: (o) => o.path === '/skip' } }, own);
    expect(hooks.http?.ignoreOutgoingRequestHook?.({ hostname: '127.0.0.1', port: 4318, path: '/v1/traces' })).toBe(
      true,
    );
    expect(hooks.http?.ignoreOutgoingRequestHook?.({ hostname: '127.0.0.1', port: 4318, path: '/skip' })).toBe(true);
    expect(hooks.http?.ignoreOutgoingRequestHook?.({ hostname: '127.0.0.1', port: 4318, path: '/other' })).toBe(false);
    const undici = hooks.undici?.ignoreRequestHook;
    expect(undici?.({ origin: 'http://127.0.0.1:4318', path: '/v1/traces', method: 'POST' } as never)).toBe(true);
    expect(undici?.({ origin: 'http://127.0.0.1:9999', path: '/v1/traces', method: 'POST' } as never)).toBe(false);
  });
});
