/**
 * Secret headers quoted in free text (start-up logs, error messages) are scrubbed, prose naming them is not;
 * a percent-encoded email in a query string is personal data like any other.
 */
import { describe, expect, it } from 'vitest';
import { FILTERED, createRedactor } from '../../../src/telemetry/redaction/redactor.js';
import { scrubHeaders } from '../../../src/telemetry/redaction/scrub-headers.js';

const redactor = createRedactor({
  sentry: { debug: false, sendDefaultPii: false, trackSessions: false, ignoreErrors: [] },
});

describe('secret header values in free text', () => {
  it.each([
    [
      'Development API keys (seeded now): empresa_001: X-API-Key dev-key-empresa-001, empresa_002: X-API-Key dev-key-empresa-002',
      'dev-key-empresa-00',
    ],
    ['request failed with headers {"x-api-key": "k3y-abc-123456"}', 'k3y-abc-123456'],
    ['X-Auth-Token:tok_99887766', 'tok_99887766'],
    ['access_token abcdef123456 expired', 'abcdef123456'],
  ])('%s', (text, secret) => {
    const out = redactor.scrubString(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(FILTERED);
  });

  it('keeps prose that only names the header', () => {
    for (const text of [
      'Send the X-API-Key header with every call',
      'api_key rotation is due',
      'the access-token expired',
    ]) {
      expect(redactor.scrubString(text)).toBe(text);
    }
  });
});

describe('emails in query strings', () => {
  it('removes a percent-encoded email when PII is off, keeps it when on', () => {
    const query = 'password=x&email=jane.doe%40pii.example&page=2';
    expect(redactor.scrubString(query)).toBe(`password=${FILTERED}&email=${FILTERED}&page=2`);
    const pii = createRedactor({
      sentry: { debug: false, sendDefaultPii: true, trackSessions: false, ignoreErrors: [] },
    });
    expect(pii.scrubString('email=jane.doe%40pii.example')).toBe('email=jane.doe%40pii.example');
  });
});

describe('request headers as tracesSampler sees them', () => {
  it('hides payment, identity and key headers as well as credentials', () => {
    const headers = {
      'X-Card-Number': '4111111111111111',
      'x-cvv': '737',
      'x-ssn': '536-22-8801',
      'x-iban': 'DE89370400440532013000',
      'x-private-key': 'k',
      authorization: 'Bearer x',
      accept: 'json',
    };
    expect(scrubHeaders(headers, redactor)).toEqual({
      'x-card-number': FILTERED,
      'x-cvv': FILTERED,
      'x-ssn': FILTERED,
      'x-iban': FILTERED,
      'x-private-key': FILTERED,
      authorization: FILTERED,
      accept: 'json',
    });
  });

  it("applies the redactor's value rules and the user's scrubKeys too, with the redactor's [Filtered]", () => {
    const withKeys = createRedactor({
      sentry: { debug: false, sendDefaultPii: false, trackSessions: false, ignoreErrors: [] },
      scrubbing: { patterns: [], keys: ['x-tenant-secret-id', /^x-internal-/] },
    });
    const headers = {
      referer: 'https://app.example/cb?token=abc123def&page=2',
      'x-forwarded-user': 'jane.doe@pii.example',
      'X-Tenant-Secret-Id': 't-1',
      'x-internal-route': 'blue',
      'user-agent': 'curl/8',
    };
    expect(scrubHeaders(headers, withKeys)).toEqual({
      referer: `https://app.example/cb?token=${FILTERED}&page=2`,
      'x-forwarded-user': FILTERED,
      'x-tenant-secret-id': FILTERED,
      'x-internal-route': FILTERED,
      'user-agent': 'curl/8',
    });
  });
});
