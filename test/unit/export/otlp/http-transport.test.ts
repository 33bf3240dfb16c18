import { describe, expect, it } from 'vitest';
import {
  describeNetworkError,
  describeStatus,
  parseRetryAfter,
} from '../../../../src/telemetry/export/otlp/http-transport.js';

describe('the OTLP/HTTP transport names failures', () => {
  it('reads Retry-After as delay-seconds or as an HTTP date, and ignores what it cannot read', () => {
    expect(parseRetryAfter('30')).toBe(30_000);
    expect(parseRetryAfter(['2', '9'])).toBe(2000);
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    expect(parseRetryAfter(inAMinute)).toBeGreaterThan(55_000);
    expect(parseRetryAfter(inAMinute)).toBeLessThanOrEqual(60_000);
    expect(parseRetryAfter(new Date(Date.now() - 60_000).toUTCString())).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });

  it('says the status, its words and the Retry-After', () => {
    expect(describeStatus(429, 'Too Many Requests', 30_000)).toBe('HTTP 429 Too Many Requests (Retry-After: 30 s)');
    expect(describeStatus(503, 'Service Unavailable', undefined)).toBe('HTTP 503 Service Unavailable');
    expect(describeStatus(500, '', undefined)).toBe('HTTP 500');
  });

  it('tells TLS failures and connection errors apart, and which may be retried', () => {
    const tls = Object.assign(
      new Error('write EPROTO 00B8:error:0A00010B:SSL routines:ssl3_get_record:wrong version number'),
      { code: 'EPROTO' },
    );
    expect(describeNetworkError(tls).message).toBe(`TLS error: ${tls.message}`);
    const cert = Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' });
    expect(describeNetworkError(cert).message).toBe('TLS error: certificate has expired (CERT_HAS_EXPIRED)');
    expect(describeNetworkError(cert).retryable).toBe(false);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4318'), { code: 'ECONNREFUSED' });
    expect(describeNetworkError(refused).message).toBe('connection refused (connect ECONNREFUSED 127.0.0.1:4318)');
    expect(describeNetworkError(refused).retryable).toBe(true);
    const lookup = Object.assign(new Error('getaddrinfo ENOTFOUND collector.invalid'), { code: 'ENOTFOUND' });
    expect(describeNetworkError(lookup).message).toBe('host not found (getaddrinfo ENOTFOUND collector.invalid)');
  });
});
