import type { ErrorEvent } from '@sentry/core';
import * as Sentry from '@sentry/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBeforeBreadcrumb, createBeforeSend } from '../../../src/telemetry/redaction/event-filters.js';
import { FILTERED, createRedactor, redactorFor } from '../../../src/telemetry/redaction/redactor.js';
import { addBreadcrumb, captureException, setUserContext, startSpan } from '../../../src/telemetry/api/monitoring.js';
import { DSN_KEY, makeConfig, startHarness, type Harness } from '../../fixtures/monitoring-harness.js';

const API_KEY = 'sk-live-9f8e7d6c5b4a39281706abcdef';
const BEARER = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlLXNlY3JldA';
const COOKIE = 'session=s3ss10n-t0k3n-abcdef';
const EMAIL = 'admin@empresa.com';
const URL_PASSWORD = 'hunter2pass';

describe('redaction rules', () => {
  const off = createRedactor(makeConfig());
  const on = createRedactor(makeConfig({ sendDefaultPii: true }));

  it('removes secrets from free text whatever the PII setting', () => {
    for (const r of [off, on]) {
      expect(r.scrubString(`Authorization: Bearer ${BEARER}`)).toBe(`Authorization: Bearer ${FILTERED}`);
      expect(r.scrubString(`postgres://app:${URL_PASSWORD}@db.internal:5432/x`)).toBe(
        `postgres://${FILTERED}@db.internal:5432/x`,
      );
      expect(r.scrubString('https://api.example.com/v1?api_key=abc123&page=2')).toBe(
        `https://api.example.com/v1?api_key=${FILTERED}&page=2`,
      );
      expect(r.scrubString(`key ${API_KEY} leaked`)).toBe(`key ${FILTERED} leaked`);
      expect(r.scrubString(`dsn key ${DSN_KEY}`)).toBe(`dsn key ${FILTERED}`);
      expect(r.scrubString('Basic information about refunds')).toBe('Basic information about refunds');
    }
  });

  it('gives the same answer for a value seen before, also after thousands of distinct values filled its memory', () => {
    const r = createRedactor(makeConfig());
    const secret = `token=${API_KEY}`;
    expect(r.scrubString(secret)).toBe(`token=${FILTERED}`);
    for (let i = 0; i < 5000; i++) expect(r.scrubString(`order ${i}`)).toBe(`order ${i}`);
    expect(r.scrubString(secret)).toBe(`token=${FILTERED}`);
    expect(r.scrubString(`contact ${EMAIL} now`)).toBe(`contact ${FILTERED} now`);
    expect(r.scrubString(`contact ${EMAIL} now`)).toBe(`contact ${FILTERED} now`);
    const long = `${'a'.repeat(300)} ${EMAIL}`;
    expect(r.scrubString(long)).toBe(`${'a'.repeat(300)} ${FILTERED}`);
  });

  it('removes emails only when PII is off', () => {
    expect(off.scrubString(`contact ${EMAIL} now`)).toBe(`contact ${FILTERED} now`);
    expect(on.scrubString(`contact ${EMAIL} now`)).toBe(`contact ${EMAIL} now`);
  });

  it('scrubs header attributes by name and keeps their array shape; leaves token counts alone', () => {
    const attributes = {
      'http.request.header.authorization': [`Bearer ${BEARER}`],
      'http.request.header.x-api-key': [API_KEY],
      'http.request.header.cookie': [COOKIE],
      'http.response.header.set-cookie': [COOKIE],
      'url.full': `https://bot:${URL_PASSWORD}@hooks.example.com/notify`,
      'user.email': EMAIL,
      'gen_ai.usage.input_tokens': 120,
      'http.route': '/tickets/:id',
    };
    const scrubbed = off.scrubAttributes(attributes);
    expect(scrubbed).toEqual({
      'http.request.header.authorization': [FILTERED],
      'http.request.header.x-api-key': [FILTERED],
      'http.request.header.cookie': [FILTERED],
      'http.response.header.set-cookie': [FILTERED],
      'url.full': `https://${FILTERED}@hooks.example.com/notify`,
      'gen_ai.usage.input_tokens': 120,
      'http.route': '/tickets/:id',
    });
    const withPii = on.scrubAttributes(attributes);
    // With PII allowed cookies pass, but a session id is a credential and never does.
    expect(withPii['http.request.header.cookie']).toEqual([`session=${FILTERED}`]);
    expect(on.scrubAttributes({ 'http.request.header.cookie': ['theme=dark'] })).toEqual({
      'http.request.header.cookie': ['theme=dark'],
    });
    expect(withPii['user.email']).toBe(EMAIL);
    expect(withPii['http.request.header.authorization']).toEqual([FILTERED]);
    const clean = { 'http.route': '/a', n: 1 };
    expect(off.scrubAttributes(clean)).toBe(clean);
  });

  it('spans that repeat an attribute name are scrubbed by what each holds, past the names it remembers', () => {
    const r = createRedactor(makeConfig());
    const span = (note: string) => ({ 'user.id': 'key-1', 'user.email': EMAIL, note, 'api.token': 'abc' });
    const scrubbed = { 'user.id': 'key-1', 'api.token': FILTERED };
    expect(r.scrubAttributes(span('fine'))).toEqual({ ...scrubbed, note: 'fine' });
    expect(r.scrubAttributes(span(`key ${API_KEY}`))).toEqual({ ...scrubbed, note: `key ${FILTERED}` });
    expect(r.scrubAttributes(span('fine'))).toEqual({ ...scrubbed, note: 'fine' });
    const long = `${'a'.repeat(300)} ${EMAIL}`;
    expect(r.scrubAttributes({ note: long })).toEqual({ note: `${'a'.repeat(300)} ${FILTERED}` });
    expect(r.scrubAttributes({ note: long })).toEqual({ note: `${'a'.repeat(300)} ${FILTERED}` });
    for (let i = 0; i < 5000; i++) r.scrubAttributes({ [`field.${i}`]: 'x' });
    expect(r.scrubAttributes({ 'user.Email': EMAIL, 'ctx.password': 'p', 'ctx.note': `key ${API_KEY}` })).toEqual({
      'ctx.password': FILTERED,
      'ctx.note': `key ${FILTERED}`,
    });
  });

  it('one redactor per configuration: every path shares its memory of scrubbed values', () => {
    const config = makeConfig();
    expect(redactorFor(config)).toBe(redactorFor(config));
    expect(redactorFor(config)).not.toBe(redactorFor(makeConfig({ sendDefaultPii: true })));
    expect(redactorFor(makeConfig({ sendDefaultPii: true })).scrubString(`contact ${EMAIL}`)).toBe(`contact ${EMAIL}`);
    expect(redactorFor(config).scrubString(`contact ${EMAIL}`)).toBe(`contact ${FILTERED}`);
  });

  it('array attributes are copied only when an item changes', () => {
    const roles = ['admin', 'agent'];
    expect(off.scrubAttributeValue('user.roles', roles)).toBe(roles);
    const mixed = ['ok', `key ${API_KEY}`, 'fine'];
    const scrubbed = off.scrubAttributeValue('notes', mixed);
    expect(scrubbed).toEqual(['ok', `key ${FILTERED}`, 'fine']);
    expect(mixed).toEqual(['ok', `key ${API_KEY}`, 'fine']);
    const spanAttributes = { 'user.roles': roles, 'http.route': '/a' };
    expect(off.scrubAttributes(spanAttributes)).toBe(spanAttributes);
  });

  it('copies only the path to what it scrubbed, and never changes the value it was given', () => {
    const untouched = { queue: 'billing', steps: [1, 2, { agent: 'Triage' }] };
    const value = {
      pipeline: untouched,
      request: { headers: { accept: 'json', authorization: `Bearer ${BEARER}` }, notes: [`mail ${EMAIL}`, 'ok'] },
    };
    const before = structuredClone(value);
    const scrubbed = off.scrubValue(value) as typeof value;
    expect(scrubbed).toEqual({
      pipeline: untouched,
      request: { headers: { accept: 'json', authorization: FILTERED }, notes: [`mail ${FILTERED}`, 'ok'] },
    });
    expect(value).toEqual(before);
    expect(scrubbed).not.toBe(value);
    expect(scrubbed.pipeline).toBe(untouched);
    expect(off.scrubValue(untouched)).toBe(untouched);
  });

  it('scrubs the own fields of a class instance into a plain copy, never trusting its toJSON', () => {
    class Credentials {
      user = 'svc';
      password = URL_PASSWORD;
      toJSON(): Record<string, string> {
        return { token: API_KEY };
      }
    }
    const scrubbed = off.scrubValue({ account: new Credentials(), note: 'clean' }, 'extra');
    expect(JSON.stringify(scrubbed)).toBe(`{"account":{"user":"svc","password":"${FILTERED}"},"note":"clean"}`);
  });
});

const event = (url: string, extra: Record<string, unknown> = {}): ErrorEvent =>
  ({
    type: undefined,
    event_id: 'a'.repeat(32),
    message: `failed for ${EMAIL}`,
    request: {
      url,
      headers: { Authorization: `Bearer ${BEARER}`, 'X-Api-Key': API_KEY, Cookie: COOKIE, Accept: 'json' },
      cookies: { session: COOKIE },
    },
    user: { id: 'u1', email: EMAIL },
    extra,
  }) as ErrorEvent;

describe('Sentry hooks', () => {
  it('drops health-check events and scrubs before the user hook sees the event', async () => {
    const seen: unknown[] = [];
    const beforeSend = createBeforeSend(makeConfig({ sentry: { beforeSend: (e) => (seen.push(e), e) } }));
    expect(await beforeSend(event('http://127.0.0.1/health'), {})).toBeNull();
    expect(await beforeSend(event('http://127.0.0.1/ready'), {})).toBeNull();
    expect(seen).toHaveLength(0);
    const out = await beforeSend(
      event('http://127.0.0.1/tickets?token=abc', { password: 'pw', note: `call ${EMAIL}` }),
      {},
    );
    expect(seen).toEqual([out]);
    expect(out?.request?.headers).toEqual({
      Authorization: FILTERED,
      'X-Api-Key': FILTERED,
      Cookie: FILTERED,
      Accept: 'json',
    });
    expect(out?.request?.cookies).toBe(FILTERED);
    expect(out?.request?.url).toBe(`http://127.0.0.1/tickets?token=${FILTERED}`);
    expect(out?.user).toEqual({ id: 'u1' });
    expect(out?.message).toBe(`failed for ${FILTERED}`);
    expect(out?.extra).toEqual({ password: FILTERED, note: `call ${FILTERED}` });
  });

  it('ignoreErrors and a dropping user hook both stop the event', async () => {
    const ignoring = createBeforeSend(makeConfig({ sentry: { ignoreErrors: ['failed for'] } }));
    expect(await ignoring(event('http://x/a'), {})).toBeNull();
    const dropping = createBeforeSend(makeConfig({ sentry: { beforeSend: () => null } }));
    expect(await dropping(event('http://x/a'), {})).toBeNull();
  });

  it('without a user hook there is no beforeBreadcrumb: Sentry would run it inside consoleSandbox', () => {
    expect(createBeforeBreadcrumb(makeConfig())).toBeUndefined();
  });

  it('beforeBreadcrumb scrubs first, then runs the user hook', () => {
    const hook = createBeforeBreadcrumb(
      makeConfig({ sentry: { beforeBreadcrumb: (b) => ({ ...b, category: `user-${String(b.category)}` }) } }),
    );
    if (hook === undefined) throw new Error('a user hook must give a composed beforeBreadcrumb');
    expect(
      hook({
        category: 'auth',
        message: `login ${EMAIL}`,
        data: { api_key: API_KEY, url: `https://u:${URL_PASSWORD}@h/x` },
      }),
    ).toEqual({
      category: 'user-auth',
      message: `login ${FILTERED}`,
      data: { api_key: FILTERED, url: `https://${FILTERED}@h/x` },
    });
  });
});

describe('a user beforeBreadcrumb', () => {
  let h: Harness;
  const seen: unknown[] = [];
  beforeAll(() => {
    h = startHarness(
      makeConfig({
        sentryOn: true,
        sentry: {
          beforeBreadcrumb: (b) => {
            seen.push(structuredClone(b));
            return b.category === 'drop' ? null : { ...b, message: `${String(b.message)} (reviewed)` };
          },
        },
      }),
    );
  });
  afterAll(async () => {
    await h.close();
  });

  it('sees the breadcrumb scrubbed, and what it returns is what Sentry keeps and the span shows', async () => {
    startSpan({ op: 'task', name: 'hooked' }, () => {
      addBreadcrumb({ category: 'login', message: `key ${API_KEY}`, data: { password: 'hunter2' } });
      addBreadcrumb({ category: 'drop', message: 'dropped by the hook' });
      captureException(new Error('after the hooked breadcrumbs'));
    });
    expect(seen).toContainEqual(
      expect.objectContaining({ category: 'login', message: `key ${FILTERED}`, data: { password: FILTERED } }),
    );
    const crumbs = (await h.events()).flatMap((e) => e.breadcrumbs ?? []);
    expect(crumbs.find((b) => b.category === 'login')).toMatchObject({
      message: `key ${FILTERED} (reviewed)`,
      data: { password: FILTERED },
    });
    expect(crumbs.some((b) => b.category === 'drop')).toBe(false);
    const names = h
      .spans()
      .find((s) => s.name === 'hooked')
      ?.events.filter((e) => e.name === 'breadcrumb')
      .map((e) => e.attributes?.message);
    expect(names).toEqual([`key ${FILTERED} (reviewed)`]);
  });
});

describe.each([
  { mode: 'Sentry on', sentryOn: true },
  { mode: 'Sentry off (OTLP only)', sentryOn: false },
])('seeded secrets end up in no payload, $mode', ({ sentryOn }) => {
  let h: Harness;
  beforeAll(() => {
    h = startHarness(makeConfig({ sentryOn }));
  });
  afterAll(async () => {
    await h.close();
  });

  it('API key, bearer token, cookie, DSN key, URL password and email appear nowhere', async () => {
    startSpan(
      {
        op: 'http.client',
        name: 'call',
        attributes: {
          'http.request.header.x-api-key': [API_KEY],
          'http.request.header.cookie': [COOKIE],
          'url.full': `https://svc:${URL_PASSWORD}@api.internal/x`,
        },
      },
      () => {
        setUserContext({ userId: 'user_1', email: EMAIL, companyId: 'c1', role: 'admin' });
        addBreadcrumb({
          category: 'auth',
          message: `Bearer ${BEARER} for ${EMAIL}`,
          data: {
            headers: { authorization: `Bearer ${BEARER}`, cookie: COOKIE },
            dsn: `http://${DSN_KEY}@sentry.local/1`,
          },
        });
        captureException(new Error(`upstream rejected ${API_KEY} for ${EMAIL}`), {
          extra: { api_key: API_KEY, cookie: COOKIE, dsn: DSN_KEY, note: `mail ${EMAIL}` },
        });
      },
    );
    const { sentry, spans } = await h.payloads();
    expect(spans).toContain('user_1');
    expect(spans).toContain('upstream rejected');
    expect(sentry.includes('upstream rejected')).toBe(sentryOn);
    for (const secret of [API_KEY, BEARER, COOKIE, DSN_KEY, URL_PASSWORD, EMAIL]) {
      expect(sentry).not.toContain(secret);
      expect(spans).not.toContain(secret);
    }
  });

  it("a breadcrumb is scrubbed in the copy Sentry keeps and on its span event; the caller's object is left as it was", async () => {
    await h.reset();
    const data = { api_key: API_KEY, nested: { password: 'hunter2', note: `mail ${EMAIL}` } };
    const breadcrumb = { category: 'login', message: `key ${API_KEY}`, data };
    let stored: Sentry.Breadcrumb | undefined;
    startSpan({ op: 'task', name: 'crumb' }, () => {
      addBreadcrumb(breadcrumb);
      stored = Sentry.getIsolationScope().getLastBreadcrumb();
      captureException(new Error('after the breadcrumb'));
    });
    expect(breadcrumb).toEqual({
      category: 'login',
      message: `key ${API_KEY}`,
      data: { api_key: API_KEY, nested: { password: 'hunter2', note: `mail ${EMAIL}` } },
    });
    expect(breadcrumb.data).toBe(data);
    // What Sentry holds in the scope, before beforeSend scrubs the event again.
    expect(stored).toMatchObject({
      category: 'login',
      message: `key ${FILTERED}`,
      data: { api_key: FILTERED, nested: { password: FILTERED, note: `mail ${FILTERED}` } },
    });
    const crumb = (await h.events()).flatMap((e) => e.breadcrumbs ?? []).findLast((b) => b.category === 'login');
    expect(crumb === undefined).toBe(!sentryOn);
    if (crumb !== undefined)
      expect(crumb).toMatchObject({
        message: `key ${FILTERED}`,
        data: { api_key: FILTERED, nested: { password: FILTERED } },
      });
    // The span event flattens `nested` to JSON text, where the exporter's rules no longer see the key: it must be
    // made from the scrubbed breadcrumb.
    const spanEvent = h
      .spans()
      .find((s) => s.name === 'crumb')
      ?.events.find((e) => e.name === 'breadcrumb');
    expect(spanEvent?.attributes).toMatchObject({ category: 'login', message: `key ${FILTERED}` });
    expect(JSON.stringify(spanEvent?.attributes)).not.toContain('hunter2');
  });

  it('a breadcrumb whose data cannot be read is kept without it, and the caller never sees an error', async () => {
    await h.reset();
    const data = Object.defineProperty({}, 'token', {
      enumerable: true,
      get: () => {
        throw new Error('unreadable');
      },
    }) as Record<string, unknown>;
    startSpan({ op: 'task', name: 'unreadable crumb' }, () => {
      expect(() => addBreadcrumb({ category: 'odd', message: 'has a throwing getter', data })).not.toThrow();
      captureException(new Error('after the odd breadcrumb'));
    });
    const crumb = (await h.events()).flatMap((e) => e.breadcrumbs ?? []).find((b) => b.category === 'odd');
    expect(crumb === undefined).toBe(!sentryOn);
    if (crumb !== undefined) {
      expect(crumb.message).toBe(FILTERED);
      expect(crumb.data).toBeUndefined();
    }
    const spanEvent = h
      .spans()
      .find((s) => s.name === 'unreadable crumb')
      ?.events.find((e) => e.name === 'breadcrumb');
    expect(spanEvent?.attributes).toEqual({ category: 'odd', message: FILTERED });
  });
});
