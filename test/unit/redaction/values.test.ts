/**
 * The value rules over two corpora (test/fixtures/scrub-corpus.json): planted secrets (card numbers, AWS keys,
 * passwords, a PEM key, SSNs, IBANs, phone numbers) must be gone from every place a value can sit, and ordinary
 * support messages (order numbers, dates, amounts, ticket ids, versions, trace ids, UUIDs) must come through
 * unchanged. Timings of large inputs are in bench/redaction.mjs; here large inputs are checked for their output.
 */
import { readFileSync } from 'node:fs';
import type { Attributes } from '@opentelemetry/api';
import type { ErrorEvent } from '@sentry/core';
import { describe, expect, it } from 'vitest';
import { validateUserConfig } from '../../../src/telemetry/config/config-module.js';
import { Problems } from '../../../src/telemetry/config/errors.js';
import { createBeforeSend, scrubBreadcrumb } from '../../../src/telemetry/redaction/event-filters.js';
import { redactSpan } from '../../../src/telemetry/redaction/redacting-exporter.js';
import { FILTERED, createRedactor, type RedactionConfig } from '../../../src/telemetry/redaction/redactor.js';
import { makeConfig } from '../../fixtures/monitoring-harness.js';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

interface Planted {
  name: string;
  secret: string;
  text: string;
}
const corpus = JSON.parse(readFileSync(new URL('../../fixtures/scrub-corpus.json', import.meta.url), 'utf8')) as {
  planted: Planted[];
  ordinary: string[];
};
const phones = corpus.planted.filter((p) => p.name.startsWith('phone_'));

const sentry = (sendDefaultPii = false): RedactionConfig['sentry'] => ({
  debug: false,
  sendDefaultPii,
  trackSessions: false,
  ignoreErrors: [],
});
const off = createRedactor({ sentry: sentry() });
const on = createRedactor({ sentry: sentry(true) });

const AWS_ID = 'AKIAZ7Q3XK2P4M6N8R1T';
const AWS_SECRET = 'q8Vd2/Lm4Xn7Rk0Tz9Bw+Hs3Jc6Pf1Ga5Ye8Ku2N';

describe('planted secrets', () => {
  it.each(corpus.planted)('$name is scrubbed from free text', ({ secret, text }) => {
    const out = off.scrubString(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(FILTERED);
  });

  it('are scrubbed whatever the PII setting, except phone numbers, which PII allows', () => {
    for (const { name, secret, text } of corpus.planted) {
      expect(on.scrubString(text).includes(secret), name).toBe(name.startsWith('phone_'));
    }
    expect(phones.length).toBeGreaterThan(5);
  });

  it('are scrubbed from every part of an event: message, exception, extra, contexts, breadcrumbs, tags, request', async () => {
    const beforeSend = createBeforeSend(makeConfig({ sentryOn: true }));
    for (const { name, secret, text } of corpus.planted) {
      const event = {
        event_id: 'b'.repeat(32),
        message: text,
        exception: { values: [{ type: 'Error', value: text }] },
        extra: { note: text, nested: { list: [text] } },
        contexts: { payment: { detail: text } },
        tags: { note: text },
        breadcrumbs: [{ category: 'support', message: text, data: { text } }],
        request: {
          url: `http://127.0.0.1/api/pay?q=${encodeURIComponent(text)}&card=4012888888881881`,
          query_string: `card=4012888888881881&note=${text}`,
        },
      } as unknown as ErrorEvent;
      const scrubbed = JSON.stringify(await beforeSend(event, {}));
      expect(scrubbed.includes(secret) || scrubbed.includes(JSON.stringify(secret).slice(1, -1)), name).toBe(false);
      expect(scrubbed).not.toContain('4012888888881881');
    }
  });

  it('are scrubbed from span attributes (url.full, url.query, GenAI content), span events, names and status', () => {
    for (const { name, secret, text } of corpus.planted) {
      const attributes: Attributes = {
        'url.full': `https://shop.example/pay?card=4012888888881881&note=${text}`,
        'url.query': `card=4012888888881881&note=${text}`,
        'gen_ai.retrieval.query.text': text,
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: text }] }]),
        'support.notes': [text, 'ok'],
      };
      const span = {
        name: text,
        attributes,
        events: [{ name: 'breadcrumb', time: [0, 0], attributes: { message: text } }],
        links: [],
        status: { code: 2, message: text },
      } as unknown as ReadableSpan;
      const view = redactSpan(span, off);
      const serialised = JSON.stringify({
        name: view.name,
        attributes: view.attributes,
        events: view.events,
        status: view.status,
      });
      expect(serialised.includes(secret) || serialised.includes(JSON.stringify(secret).slice(1, -1)), name).toBe(false);
      expect(serialised).not.toContain('4012888888881881');
    }
  });

  it('a breadcrumb is scrubbed in its message and data', () => {
    for (const { name, secret, text } of corpus.planted) {
      expect(JSON.stringify(scrubBreadcrumb({ message: text, data: { text } }, off)), name).not.toContain(
        JSON.stringify(secret).slice(1, -1),
      );
    }
  });
});

describe('ordinary support messages', () => {
  it.each(corpus.ordinary)('%s comes through unchanged', (text) => {
    expect(off.scrubString(text)).toBe(text);
    expect(on.scrubString(text)).toBe(text);
  });

  it('come through unchanged as span attributes, span events and event fields', () => {
    const attributes = Object.fromEntries(corpus.ordinary.map((text, index) => [`support.note_${index}`, text]));
    expect(off.scrubAttributes(attributes)).toBe(attributes);
    const event = { extra: { notes: corpus.ordinary }, contexts: { order: { summary: corpus.ordinary[0] } } };
    expect(off.scrubValue(event)).toBe(event);
  });
});

describe('the checks behind the patterns', () => {
  it('card numbers: issuer prefix, length and Luhn decide, so ids and timestamps survive', () => {
    expect(off.scrubString('card 4111111111111111')).toBe(`card ${FILTERED}`);
    // Luhn fails / no issuer / epoch milliseconds and microseconds / a Luhn-valid number with no issuer prefix.
    for (const text of [
      'order 4111111111111112',
      'id 9111111111111111',
      'at 1765102530123',
      'at 1765102530123456',
      'ref 1000000000000009',
    ]) {
      expect(off.scrubString(text)).toBe(text);
    }
    // Inside a word, a hex id or a dotted version the digits are not a card.
    for (const text of ['TCK4111111111111111', 'a4111111111111111f', 'v1.4111111111111111'])
      expect(off.scrubString(text)).toBe(text);
    // A card written next to other numbers is found inside the run.
    expect(off.scrubString('order 12 4111 1111 1111 1111 2026')).toBe(`order 12 ${FILTERED} 2026`);
  });

  it('IBANs need their mod-97 checksum; SSNs the ranges that are issued', () => {
    expect(off.scrubString('DE89370400440532013000')).toBe(FILTERED);
    expect(off.scrubString('DE89370400440532013001')).toBe('DE89370400440532013001');
    expect(off.scrubString('GB82 WEST 1234 5698 7654 33')).toBe('GB82 WEST 1234 5698 7654 33');
    expect(off.scrubString('ssn 536-22-8801')).toBe(`ssn ${FILTERED}`);
    for (const text of [
      'ssn 000-22-8801',
      'ssn 666-22-8801',
      'ssn 936-22-8801',
      'ssn 536-00-8801',
      'ssn 536-22-0000',
      'SKU-536-22-8801',
      '536-22-8801-7',
    ]) {
      expect(off.scrubString(text)).toBe(text);
    }
  });

  it('a PEM private key is removed also when cut short; certificates stay', () => {
    const cut = 'key: -----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7cut';
    expect(off.scrubString(cut)).toBe(`key: ${FILTERED}`);
    const escaped = 'pem "-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIBody\\n-----END EC PRIVATE KEY-----" ok';
    expect(off.scrubString(escaped)).toBe(`pem "${FILTERED}" ok`);
    const certificate = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----';
    expect(off.scrubString(certificate)).toBe(certificate);
  });

  it('passwords in prose: the value goes, prose about passwords stays', () => {
    expect(off.scrubString('my password is hunter2.')).toBe(`my password is ${FILTERED}`);
    expect(off.scrubString('{"pwd": "a b c"}')).toBe(`{"pwd": "${FILTERED}"}`);
    expect(off.scrubString("passphrase='one two'")).toBe(`passphrase='${FILTERED}'`);
    for (const text of [
      'my password is not working',
      'the secret is out',
      'password reset requested',
      'passwords must match',
    ]) {
      expect(off.scrubString(text)).toBe(text);
    }
  });

  it('phone numbers: international, North American and named forms; dates, versions and amounts stay', () => {
    expect(off.scrubString('call +33 6 12 34 56 78')).toBe(`call ${FILTERED}`);
    expect(off.scrubString('tel. 030 1234567')).toBe(`tel. ${FILTERED}`);
    for (const text of [
      '+1.2.3.4.5.6.7.8',
      '2026-12-07 10:00',
      '1.234.567,89 EUR',
      'build 415.555.26710',
      '(415) 555-2671-9',
    ]) {
      expect(off.scrubString(text)).toBe(text);
    }
  });
});

describe('AWS secret keys next to a key id', () => {
  it('in the same text, the same object, the same array or the same span', () => {
    expect(off.scrubString(`${AWS_ID}:${AWS_SECRET}`)).toBe(`${FILTERED}:${FILTERED}`);
    expect(off.scrubValue({ id: AWS_ID, value: AWS_SECRET, region: 'eu-west-1' })).toEqual({
      id: FILTERED,
      value: FILTERED,
      region: 'eu-west-1',
    });
    expect(off.scrubValue([AWS_ID, AWS_SECRET])).toEqual([FILTERED, FILTERED]);
    expect(off.scrubAttributes({ 'aws.key': AWS_ID, 'aws.value': AWS_SECRET, 'aws.region': 'eu-west-1' })).toEqual({
      'aws.key': FILTERED,
      'aws.value': FILTERED,
      'aws.region': 'eu-west-1',
    });
    // Under its usual names it goes without a key id nearby.
    expect(off.scrubValue({ aws_secret_access_key: AWS_SECRET, AWS_SECRET_ACCESS_KEY: AWS_SECRET })).toEqual({
      aws_secret_access_key: FILTERED,
      AWS_SECRET_ACCESS_KEY: FILTERED,
    });
  });

  it('a 40-character value with no key id near it stays, and the memory of values does not depend on the order', () => {
    const r = createRedactor({ sentry: sentry() });
    const commit = { sha: 'f'.repeat(40), note: AWS_SECRET };
    expect(r.scrubString(AWS_SECRET)).toBe(AWS_SECRET);
    expect(r.scrubValue(commit)).toBe(commit);
    expect(r.scrubValue({ id: AWS_ID, value: AWS_SECRET })).toEqual({ id: FILTERED, value: FILTERED });
    expect(r.scrubString(AWS_SECRET)).toBe(AWS_SECRET);
    expect(r.scrubAttributes({ note: AWS_SECRET })).toEqual({ note: AWS_SECRET });
  });
});

describe('sensitive key names', () => {
  it('payment and identity fields go whatever their value and the PII setting; look-alike names stay', () => {
    const fields = {
      cvv: '737',
      cvc2: '123',
      card: 'Visa ending 4242',
      card_number: 'x',
      creditCardNumber: 'x',
      ssn: '1',
      iban: 'x',
      account_number: 'x',
      secret: 'x',
      aws_secret_access_key: 'x',
    };
    for (const r of [off, on]) {
      const scrubbed = r.scrubValue(fields) as Record<string, unknown>;
      for (const key of Object.keys(fields)) expect(scrubbed[key], key).toBe(FILTERED);
      expect(r.scrubAttributes({ 'payment.cvv': '737', 'payment.card.number': '4' })).toEqual({
        'payment.cvv': FILTERED,
        'payment.card.number': '4',
      });
    }
    const lookalike = { cardinality: 'high', discard: 'yes', scorecard: 'A', passenger: 'Ana', mobile: 'yes' };
    expect(off.scrubValue(lookalike)).toBe(lookalike);
    expect(off.scrubString('card=4012888888881881&cvv=737&page=2')).toBe(`card=${FILTERED}&cvv=${FILTERED}&page=2`);
  });

  it('a phone field is personal data: removed with PII off, kept with it on', () => {
    expect(off.scrubValue({ phone: 'ask at the desk' })).toEqual({ phone: FILTERED });
    expect(on.scrubValue({ phone: 'ask at the desk' })).toEqual({ phone: 'ask at the desk' });
  });
});

describe('user patterns and key names from the config module', () => {
  const custom = createRedactor({
    sentry: sentry(),
    scrubbing: { patterns: ['ACME-INTERNAL', /\bemp-\d{6}\b/iy], keys: ['employee_ref', /^x-internal-/] },
  });

  it('scrub text and keys in addition to the defaults', () => {
    expect(custom.scrubString('see ACME-INTERNAL doc for EMP-123456 and emp-654321')).toBe(
      `see ${FILTERED} doc for ${FILTERED} and ${FILTERED}`,
    );
    expect(custom.scrubString('card 4111111111111111')).toBe(`card ${FILTERED}`);
    expect(custom.scrubValue({ employee_ref: 'E1', 'x-internal-route': 'r', other: 'emp-1' })).toEqual({
      employee_ref: FILTERED,
      'x-internal-route': FILTERED,
      other: 'emp-1',
    });
    expect(custom.scrubAttributes({ 'hr.Employee_Ref': 'E1' })).toEqual({ 'hr.Employee_Ref': FILTERED });
    // The default redactor knows none of them.
    expect(off.scrubString('ACME-INTERNAL EMP-123456')).toBe('ACME-INTERNAL EMP-123456');
  });

  it('are accepted by the config module as pattern lists, and anything else is refused', () => {
    const problems = new Problems();
    expect(
      validateUserConfig({ scrubPatterns: ['a', /b/], scrubKeys: ['c'] }, 'telemetry.config.mjs', problems),
    ).toEqual({ scrubPatterns: ['a', /b/], scrubKeys: ['c'] });
    expect(problems.list).toEqual([]);
    validateUserConfig({ scrubPatterns: 'a', scrubKeys: [1] }, 'telemetry.config.mjs', problems);
    expect(problems.list).toEqual([
      'telemetry.config.mjs: scrubPatterns is not a list of patterns. Accepted: an array of strings and RegExps.',
      'telemetry.config.mjs: scrubKeys is not a list of patterns. Accepted: an array of strings and RegExps.',
    ]);
  });
});

describe('large inputs', () => {
  // Shapes on which a backtracking rule would go super-linear: runs of what a rule starts on, never completed.
  const adversarial = [
    '1 2 3 4 5 6 7 8 9 0 ',
    '+1 22 333 ',
    'password:\n',
    'my password is not ',
    'AKIA1234567890ABCDE ',
    'GB82 WEST 1234 ',
    '(((((1)))))-',
    '4111-',
  ];

  it('a 200 KB message of each shape comes back unchanged, and a secret at its end is still found', () => {
    for (const unit of adversarial) {
      const text = unit.repeat(Math.ceil(200_000 / unit.length));
      expect(off.scrubString(text) === text, unit).toBe(true);
      expect(off.scrubString(`${text} card 4111111111111111`).endsWith(`card ${FILTERED}`), unit).toBe(true);
    }
    const unquoted = `password: "${'x'.repeat(200_000)}`;
    expect(off.scrubString(unquoted)).toBe(unquoted);
    const unclosed = `${'-----BEGIN PRIVATE KEY-----\nabc\n'.repeat(6000)}`;
    expect(off.scrubString(`head ${unclosed}`)).toBe(`head ${FILTERED}`);
  });

  it('a 5,000-element array keeps its clean items and loses its secrets', () => {
    const items = Array.from({ length: 5000 }, (_, index) =>
      index % 50 === 0
        ? `card 4111 1111 1111 1111 #${index}`
        : `${corpus.ordinary[index % corpus.ordinary.length]} #${index}`,
    );
    const scrubbed = off.scrubValue({ items }) as { items: string[] };
    expect(scrubbed.items).toHaveLength(5000);
    expect(scrubbed.items.filter((item) => item.includes(FILTERED))).toHaveLength(100);
    expect(scrubbed.items.filter((item, index) => item === items[index])).toHaveLength(4900);
  });

  it('cuts cycles only at an ancestor: an object shared by siblings is scrubbed in each place', () => {
    const shared = { note: 'card 4111 1111 1111 1111' };
    const cyclic: Record<string, unknown> = { shared, again: shared, list: [shared, shared] };
    cyclic.self = cyclic;
    const scrubbed = off.scrubValue(cyclic) as Record<string, unknown>;
    const clean = { note: `card ${FILTERED}` };
    expect(scrubbed.self).toBe('[Circular]');
    expect(scrubbed.shared).toEqual(clean);
    expect(scrubbed.again).toEqual(clean);
    expect(scrubbed.list).toEqual([clean, clean]);
  });

  it('filters strings and objects under a sensitive key, never its numbers and booleans', () => {
    expect(off.scrubValue({ password: 1234, token: true, secret: { a: 1 }, api_key: 'x', card_number: null })).toEqual({
      password: 1234,
      token: true,
      secret: FILTERED,
      api_key: FILTERED,
      card_number: null,
    });
  });
});
