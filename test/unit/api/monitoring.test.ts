import { SpanStatusCode, trace } from '@opentelemetry/api';
import { getGlobalScope, getIsolationScope, withScope, type Event } from '@sentry/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  addBreadcrumb,
  captureException,
  captureMessage,
  flush,
  isEnabled,
  setContext,
  setTag,
  setUserContext,
  startSpan,
  startTransaction,
  withIsolation,
} from '../../../src/telemetry/api/monitoring.js';
import { makeConfig, spanNamed, startHarness, type Harness } from '../../fixtures/monitoring-harness.js';

const has = (expected: Record<string, unknown>): unknown => expect.objectContaining(expected);

function eventById(events: Event[], id: string): Event {
  const found = events.find((e) => e.event_id === id);
  if (found === undefined) throw new Error(`no Sentry event ${id}`);
  return found;
}

describe.each([
  { mode: 'Sentry on', sentryOn: true },
  { mode: 'Sentry off (OTLP only)', sentryOn: false },
])('monitoring API, $mode', ({ sentryOn }) => {
  let h: Harness;
  beforeAll(() => {
    h = startHarness(makeConfig({ sentryOn }));
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(async () => {
    await h.reset();
  });

  /** The event at the fake Sentry when it is on; with Sentry off, anything that arrived (there must be none). */
  async function sentryEvent(id: string): Promise<Event | Event[] | undefined> {
    const events = await h.events();
    if (sentryOn) return eventById(events, id);
    return events.length > 0 ? events : undefined;
  }
  /** The same facts are checked in both modes: with Sentry off the expectation is "no event at all". */
  const atSentry = (expected: Record<string, unknown>): unknown =>
    sentryOn ? expect.objectContaining(expected) : undefined;

  it('captureException: level, tags, extra at Sentry; exception event, ERROR status and event id on the span', async () => {
    const data = { ticket: 'T-1', lines: [1, 2, 3] };
    let eventId = '';
    let traceId = '';
    await startTransaction({ name: 'process_ticket', op: 'pipeline' }, async (span) => {
      traceId = span.spanContext().traceId;
      try {
        throw new TypeError('pipeline step failed');
      } catch (e) {
        eventId = captureException(e, {
          level: 'error',
          tags: { operation: 'risky_operation', module: 'pipeline' },
          extra: { input_data: data, step: 3 },
        });
      }
    });
    expect(eventId).toMatch(/^[0-9a-f]{32}$/);
    const span = spanNamed(h.spans(), 'process_ticket');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    const exceptionEvents = span.events.filter((e) => e.name === 'exception');
    expect(exceptionEvents).toHaveLength(1);
    expect(exceptionEvents[0]?.attributes).toMatchObject({
      'exception.type': 'TypeError',
      'exception.message': 'pipeline step failed',
      'sentry.event_id': eventId,
      'sentry.level': 'error',
      'sentry.tag.operation': 'risky_operation',
      'sentry.tag.module': 'pipeline',
      'extra.input_data': JSON.stringify(data),
      'extra.step': 3,
    });
    expect(await sentryEvent(eventId)).toEqual(
      atSentry({
        level: 'error',
        tags: has({ operation: 'risky_operation', module: 'pipeline' }),
        extra: has({ input_data: data, step: 3 }),
        exception: { values: [has({ type: 'TypeError', value: 'pipeline step failed' })] },
        contexts: has({ trace: has({ trace_id: traceId }) }),
      }),
    );
  });

  it('captureException at level warning records the exception without ERROR status', async () => {
    const id = startSpan({ op: 'task', name: 'soft' }, () =>
      captureException(new Error('retrying'), { level: 'warning' }),
    );
    const span = spanNamed(h.spans(), 'soft');
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.events.find((e) => e.name === 'exception')?.attributes?.['sentry.level']).toBe('warning');
    expect(await sentryEvent(id)).toEqual(atSentry({ level: 'warning' }));
  });

  it('captureMessage: message event on the span, event at Sentry with tags and extra', async () => {
    const id = startSpan({ op: 'ai', name: 'respond' }, () =>
      captureMessage('High confidence response generated', {
        level: 'info',
        tags: { ticket_id: 'TICKET-9', confidence: '0.93' },
        extra: { response_length: 512 },
      }),
    );
    const span = spanNamed(h.spans(), 'respond');
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.events.find((e) => e.name === 'message')?.attributes).toMatchObject({
      message: 'High confidence response generated',
      'sentry.level': 'info',
      'sentry.event_id': id,
      'sentry.tag.ticket_id': 'TICKET-9',
      'extra.response_length': 512,
    });
    expect(await sentryEvent(id)).toEqual(
      atSentry({
        message: 'High confidence response generated',
        level: 'info',
        tags: has({ ticket_id: 'TICKET-9', confidence: '0.93' }),
        extra: has({ response_length: 512 }),
      }),
    );
  });

  it('setUserContext / setContext / setTag after the root started land on the root and on later spans', async () => {
    let id = '';
    await withIsolation('request', async () => {
      // The root exists before "authentication" names the user, as a server span does.
      await startSpan({ op: 'auth', name: 'authenticate' }, async () => {
        setUserContext({ userId: 'user_abc123', email: 'admin@empresa.com', companyId: 'empresa_001', role: 'admin' });
        setContext('ticket', { ticket_id: 'TICKET-123', priority: 'high', category: 'billing', escalated: true });
        setTag('company_id', 'empresa_001');
      });
      startSpan({ op: 'db.query', name: 'Get ticket from MongoDB' }, () => {
        id = captureMessage('loaded');
      });
    });
    const spans = h.spans();
    const expected = {
      'user.id': 'user_abc123',
      'user.roles': ['admin'],
      'tenant.id': 'empresa_001',
      company_id: 'empresa_001',
      'ticket.ticket_id': 'TICKET-123',
      'ticket.priority': 'high',
      'ticket.escalated': true,
    };
    for (const name of ['request', 'authenticate', 'Get ticket from MongoDB']) {
      const span = spanNamed(spans, name);
      expect({ name, ...span.attributes }).toMatchObject({ name, ...expected });
      // PII is off by default: no email attribute anywhere.
      expect(span.attributes['user.email']).toBeUndefined();
    }
    expect(await sentryEvent(id)).toEqual(
      atSentry({
        // PII is off: the email never reaches Sentry either.
        user: { id: 'user_abc123', company_id: 'empresa_001', role: 'admin' },
        tags: has({ company_id: 'empresa_001' }),
        contexts: has({ ticket: { ticket_id: 'TICKET-123', priority: 'high', category: 'billing', escalated: true } }),
      }),
    );
  });

  it('each span reads the scopes as they are when it starts, whatever earlier spans read', () => {
    withIsolation('job', () => {
      startSpan({ op: 'step', name: 'before' }, () => undefined);
      setTag('stage', 'one');
      startSpan({ op: 'step', name: 'tagged' }, () => undefined);
      setTag('stage', 'two');
      startSpan({ op: 'step', name: 'retagged' }, () => undefined);
    });
    withIsolation('next job', () => {
      startSpan({ op: 'step', name: 'other job' }, () => undefined);
    });
    const spans = h.spans();
    expect(spanNamed(spans, 'before').attributes.stage).toBeUndefined();
    expect(spanNamed(spans, 'tagged').attributes.stage).toBe('one');
    expect(spanNamed(spans, 'retagged').attributes.stage).toBe('two');
    expect(spanNamed(spans, 'other job').attributes.stage).toBeUndefined();
  });

  it('spans read the three scopes as an event would (current over isolation over global), leaving their data as set', () => {
    const global = getGlobalScope();
    global.setContext('deploy', { region: 'eu' });
    global.setContext('pipeline', { step: 0, stage: 'global' });
    try {
      withIsolation('job', () => {
        setTag('shared', 'isolation');
        setContext('pipeline', { step: 1 });
        startSpan({ op: 'step', name: 'two scopes' }, () => undefined);
        withScope((scope) => {
          scope.setTag('shared', 'current');
          scope.setContext('pipeline', { step: 2, total_steps: 3 });
          startSpan({ op: 'step', name: 'three scopes' }, () => undefined);
        });
        startSpan({ op: 'step', name: 'after the fork' }, () => undefined);
        expect(getIsolationScope().getScopeData().tags).toEqual({ shared: 'isolation' });
        expect(getIsolationScope().getScopeData().contexts).toEqual({ pipeline: { step: 1 } });
      });
      expect(global.getScopeData().contexts).toEqual({
        deploy: { region: 'eu' },
        pipeline: { step: 0, stage: 'global' },
      });
    } finally {
      global.setContext('deploy', null);
      global.setContext('pipeline', null);
    }
    withIsolation('alone', () => {
      setTag('job', 'only the isolation scope holds data');
      startSpan({ op: 'step', name: 'isolation only' }, () => undefined);
      expect(getIsolationScope().getScopeData().tags).toEqual({ job: 'only the isolation scope holds data' });
    });
    const spans = h.spans();
    expect(spanNamed(spans, 'two scopes').attributes).toMatchObject({
      'deploy.region': 'eu',
      shared: 'isolation',
      'pipeline.step': 1,
    });
    expect(spanNamed(spans, 'two scopes').attributes['pipeline.stage']).toBeUndefined();
    expect(spanNamed(spans, 'three scopes').attributes).toMatchObject({
      'deploy.region': 'eu',
      shared: 'current',
      'pipeline.step': 2,
      'pipeline.total_steps': 3,
    });
    expect(spanNamed(spans, 'after the fork').attributes).toMatchObject({ shared: 'isolation', 'pipeline.step': 1 });
    expect(spanNamed(spans, 'after the fork').attributes['pipeline.total_steps']).toBeUndefined();
    expect(spanNamed(spans, 'isolation only').attributes).toMatchObject({ job: 'only the isolation scope holds data' });
    expect(spanNamed(spans, 'isolation only').attributes['deploy.region']).toBeUndefined();
  });

  it('breadcrumbs keep what spans read from the scopes; any other scope change after one reaches the next span', () => {
    withIsolation('job', () => {
      setTag('stage', 'one');
      startSpan({ op: 'step', name: 'first' }, () => undefined);
      addBreadcrumb({ message: 'between', category: 'job' });
      startSpan({ op: 'step', name: 'after breadcrumb' }, () => undefined);
      addBreadcrumb({ message: 'before the tag', category: 'job' });
      setTag('stage', 'two');
      startSpan({ op: 'step', name: 'after tag' }, () => undefined);
      addBreadcrumb({ message: 'before a direct change', category: 'job' });
      // Sentry's own API, without the monitoring API's push onto the active span.
      getIsolationScope().setTags({ stage: 'three' });
      startSpan({ op: 'step', name: 'after a direct change' }, () => undefined);
      getIsolationScope().clearBreadcrumbs();
      getIsolationScope().setTags({ stage: 'four' });
      startSpan({ op: 'step', name: 'after clearing breadcrumbs' }, () => undefined);
    });
    const names = ['first', 'after breadcrumb', 'after tag', 'after a direct change', 'after clearing breadcrumbs'];
    expect(names.map((name) => spanNamed(h.spans(), name).attributes.stage)).toEqual([
      'one',
      'one',
      'two',
      'three',
      'four',
    ]);
  });

  it('a running span follows each scope change: changed values replace the written ones, unchanged stay', () => {
    withIsolation('job', () => {
      setContext('pipeline', { current_agent: 'triage', step: 1, total_steps: 3 });
      setTag('channel', 'web');
      startSpan({ op: 'step', name: 'agents' }, () => {
        setContext('pipeline', { current_agent: 'resolver', step: 2, total_steps: 3 });
        setTag('channel', 'web');
        setContext('pipeline', { current_agent: 'escalator', step: 3, total_steps: 3 });
      });
    });
    const expected = {
      'pipeline.current_agent': 'escalator',
      'pipeline.step': 3,
      'pipeline.total_steps': 3,
      channel: 'web',
    };
    expect(spanNamed(h.spans(), 'job').attributes).toMatchObject(expected);
    expect(spanNamed(h.spans(), 'agents').attributes).toMatchObject(expected);
  });

  it('a running span keeps what a later change dropped, and the order each attribute was first written in', () => {
    withIsolation('job', () => {
      setContext('pipeline', { current_agent: 'triage', step: 1 });
      setTag('channel', 'web');
      // Drops current_agent: the root keeps the value it was given.
      setContext('pipeline', { step: 2 });
      setContext('other', { x: 1 });
      // A new first key: everything written before keeps its place.
      setUserContext({ userId: 'u1' });
      startSpan({ op: 'step', name: 'child' }, () => undefined);
    });
    const order = ['channel', 'pipeline.current_agent', 'pipeline.step', 'other.x', 'user.id'];
    const root = spanNamed(h.spans(), 'job').attributes;
    expect(Object.keys(root).filter((key) => order.includes(key))).toEqual(order);
    expect(root).toMatchObject({
      channel: 'web',
      'pipeline.current_agent': 'triage',
      'pipeline.step': 2,
      'other.x': 1,
      'user.id': 'u1',
    });
    // A span started after the changes reads the scopes as they are: no dropped key.
    const child = spanNamed(h.spans(), 'child').attributes;
    expect(child['pipeline.current_agent']).toBeUndefined();
    expect(child).toMatchObject({ channel: 'web', 'pipeline.step': 2, 'other.x': 1, 'user.id': 'u1' });
  });

  it('context and breadcrumb data names stay exact when the keys are data (ids), past the names the bridge remembers', () => {
    // 3,000 distinct context keys and breadcrumb data keys: more than the bridge remembers joined names for.
    const jobs = 1500;
    for (let i = 0; i < jobs; i++) {
      withIsolation(`job-${i}`, () => {
        setContext(`order_${i % 7}`, { [`line_${i}`]: i, [`sku_${i}`]: `sku-${i}` });
        addBreadcrumb({ message: 'line added', category: 'cart', data: { [`line_${i}`]: i } });
      });
    }
    for (const i of [0, 1023, 1024, 1499]) {
      const span = spanNamed(h.spans(), `job-${i}`);
      expect(span.attributes).toMatchObject({
        [`order_${i % 7}.line_${i}`]: i,
        [`order_${i % 7}.sku_${i}`]: `sku-${i}`,
      });
      const names = Object.keys(span.attributes).filter((key) => key.startsWith('order_'));
      expect(names.sort()).toEqual([`order_${i % 7}.line_${i}`, `order_${i % 7}.sku_${i}`]);
      expect(span.events.find((e) => e.name === 'breadcrumb')?.attributes).toMatchObject({ [`data.line_${i}`]: i });
    }
  });

  it("a tag and a context under one key are both the scopes' own: the tag wins, nothing moves to sentry.tag.", () => {
    withIsolation('job', () => {
      setContext('ticket', { id: 'from-context' });
      setTag('ticket.id', 'from-tag');
      startSpan({ op: 'step', name: 'step' }, () => undefined);
    });
    for (const name of ['job', 'step']) {
      const { attributes } = spanNamed(h.spans(), name);
      expect(attributes['ticket.id']).toBe('from-tag');
      expect(attributes['sentry.tag.ticket.id']).toBeUndefined();
    }
  });

  it('a tag never overwrites an instrumentation attribute: it moves to sentry.tag.<key>', () => {
    withIsolation('job', () => {
      trace.getTracer('instr').startActiveSpan('db', { attributes: { 'db.system.name': 'mongodb' } }, (span) => {
        setTag('db.system.name', 'from-tag');
        // Set after the bridge wrote the tag: the instrumentation keeps its key, the tag is kept aside.
        setTag('route', 'tag-route');
        span.setAttribute('route', '/tickets/:id');
        span.end();
      });
    });
    const db = spanNamed(h.spans(), 'db');
    expect(db.attributes['db.system.name']).toBe('mongodb');
    expect(db.attributes['route']).toBe('/tickets/:id');
    const job = spanNamed(h.spans(), 'job');
    expect(job.attributes['db.system.name']).toBe('from-tag');
    expect(job.attributes['route']).toBe('tag-route');
    expect(db.attributes['sentry.tag.route']).toBe('tag-route');
  });

  it('addBreadcrumb: a breadcrumb event on the active span and a breadcrumb in the Sentry event', async () => {
    let id = '';
    withIsolation('rag', () => {
      addBreadcrumb({
        message: 'Queried RAG knowledge base',
        category: 'rag',
        level: 'debug',
        data: { query: 'refund policy', results_count: 4 },
      });
      id = captureMessage('after rag');
    });
    const span = spanNamed(h.spans(), 'rag');
    const crumb = span.events.find((e) => e.name === 'breadcrumb');
    expect(crumb?.attributes).toMatchObject({
      message: 'Queried RAG knowledge base',
      category: 'rag',
      level: 'debug',
      'data.query': 'refund policy',
      'data.results_count': 4,
    });
    expect(await sentryEvent(id)).toEqual(
      atSentry({
        breadcrumbs: [
          has({
            category: 'rag',
            message: 'Queried RAG knowledge base',
            level: 'debug',
            data: { query: 'refund policy', results_count: 4 },
          }),
        ],
      }),
    );
  });

  // startTransaction is the support system's name for startSpan: the same options, the same spans.
  it.each([
    ['startSpan', startSpan],
    ['startTransaction', startTransaction],
  ])('%s is a child of the active span, a root without one, and a linked new root with newTrace', (_name, start) => {
    start({ name: 'outer', op: 'http.server' }, () => {
      start({ name: 'inner', op: 'pipeline' }, () => undefined);
      start({ name: 'detached', op: 'pipeline', newTrace: true }, () => undefined);
    });
    const spans = h.spans();
    const outer = spanNamed(spans, 'outer');
    const inner = spanNamed(spans, 'inner');
    const detached = spanNamed(spans, 'detached');
    expect(outer.parentSpanContext).toBeUndefined();
    expect(outer.attributes['sentry.op']).toBe('http.server');
    expect(inner.spanContext().traceId).toBe(outer.spanContext().traceId);
    expect(inner.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    expect(detached.spanContext().traceId).not.toBe(outer.spanContext().traceId);
    expect(detached.parentSpanContext).toBeUndefined();
    expect(detached.links.map((l) => l.context.spanId)).toEqual([outer.spanContext().spanId]);
  });

  it('withIsolation takes its root span name alone or with op and attributes, and links the caller', () => {
    startSpan({ name: 'caller' }, () => {
      withIsolation('plain job', () => undefined);
      withIsolation({ name: 'queue job', op: 'queue.process', attributes: { 'job.id': 'j-1' } }, () => undefined);
    });
    const spans = h.spans();
    const caller = spanNamed(spans, 'caller');
    const plain = spanNamed(spans, 'plain job');
    const queued = spanNamed(spans, 'queue job');
    expect(plain.attributes['sentry.op']).toBe('task');
    expect(queued.attributes).toMatchObject({ 'sentry.op': 'queue.process', 'job.id': 'j-1' });
    for (const job of [plain, queued]) {
      expect(job.parentSpanContext).toBeUndefined();
      expect(job.links.map((l) => l.context.spanId)).toEqual([caller.spanContext().spanId]);
    }
  });

  it('startSpan passes sync and async results through and marks a throw ERROR with one exception event', async () => {
    expect(startSpan({ op: 'calc', name: 'sync', attributes: { k: 'v' } }, () => 41 + 1)).toBe(42);
    await expect(startSpan({ op: 'calc', name: 'async' }, async () => 'ok')).resolves.toBe('ok');
    const boom = new Error('db down');
    expect(() =>
      startSpan({ op: 'db.query', name: 'throws' }, () => {
        throw boom;
      }),
    ).toThrow(boom);
    await expect(
      startSpan({ op: 'db.query', name: 'rejects' }, async () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    const spans = h.spans();
    expect(spanNamed(spans, 'sync').attributes).toMatchObject({ k: 'v', 'sentry.op': 'calc' });
    expect(spanNamed(spans, 'async').status.code).toBe(SpanStatusCode.UNSET);
    for (const name of ['throws', 'rejects']) {
      const span = spanNamed(spans, name);
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'db down' });
      expect(span.events.filter((e) => e.name === 'exception')).toHaveLength(1);
    }
  });

  it('an error captured twice gives one Sentry event and one exception event', async () => {
    const error = new Error('captured twice');
    let first = '';
    let second = '';
    startSpan({ op: 'x', name: 'twice' }, () => {
      first = captureException(error);
      second = captureException(error);
    });
    expect(second).toBe(first);
    expect(spanNamed(h.spans(), 'twice').events.filter((e) => e.name === 'exception')).toHaveLength(1);
    const events = await h.events();
    expect(events.filter((e) => e.exception?.values?.[0]?.value === 'captured twice')).toHaveLength(sentryOn ? 1 : 0);
  });

  it('withIsolation: concurrent jobs keep their own user, tags and breadcrumbs, each on its own trace', async () => {
    const ids: Record<string, string> = {};
    const job = (tenant: string) =>
      withIsolation(`job-${tenant}`, async () => {
        setUserContext({ userId: `user-${tenant}`, companyId: tenant });
        setTag('tenant', tenant);
        await new Promise((r) => setTimeout(r, 5));
        addBreadcrumb({ message: `step for ${tenant}`, category: 'job' });
        await new Promise((r) => setTimeout(r, 5));
        ids[tenant] = captureException(new Error(`job failed for ${tenant}`));
      });
    await Promise.all(['acme', 'globex', 'initech'].map(job));
    const spans = h.spans();
    const traces = new Set<string>();
    for (const tenant of ['acme', 'globex', 'initech']) {
      const span = spanNamed(spans, `job-${tenant}`);
      traces.add(span.spanContext().traceId);
      expect(span.attributes).toMatchObject({ 'user.id': `user-${tenant}`, 'tenant.id': tenant, tenant });
      const crumbs = span.events.filter((e) => e.name === 'breadcrumb').map((e) => e.attributes?.message);
      expect(crumbs).toEqual([`step for ${tenant}`]);
      expect(await sentryEvent(ids[tenant] ?? '')).toEqual(
        atSentry({
          user: { id: `user-${tenant}`, company_id: tenant },
          tags: { tenant },
          breadcrumbs: [has({ message: `step for ${tenant}` })],
          contexts: has({ trace: has({ trace_id: span.spanContext().traceId }) }),
        }),
      );
    }
    expect(traces.size).toBe(3);
  });

  it('isEnabled reports a running backend; flush drains both sides', async () => {
    expect(isEnabled()).toBe(true);
    await expect(flush(1000)).resolves.toBe(true);
  });
});

describe('monitoring API without Sentry or a tracer provider', () => {
  it('never throws and reports itself disabled', async () => {
    expect(isEnabled()).toBe(false);
    expect(() => {
      setUserContext({ userId: 'u' });
      setTag('a', 'b');
      setContext('c', { d: 1 });
      addBreadcrumb({ message: 'm' });
    }).not.toThrow();
    expect(typeof captureException(new Error('x'))).toBe('string');
    expect(typeof captureMessage('y')).toBe('string');
    expect(startSpan({ op: 'o', name: 'n' }, () => 7)).toBe(7);
    await expect(flush(100)).resolves.toBe(true);
  });
});

describe('the attribute value length limit of the config', () => {
  it("cuts extra values on a captured error's span event at the configured length", async () => {
    const h = startHarness({ ...makeConfig(), attributeValueLengthLimit: 100 });
    try {
      startSpan({ name: 'limited' }, () =>
        captureException(new Error('big'), { extra: { note: 'x'.repeat(500), nested: { text: 'y'.repeat(500) } } }),
      );
      const event = spanNamed(h.spans(), 'limited').events.find((e) => e.name === 'exception');
      expect(String(event?.attributes?.['extra.note'])).toHaveLength(100);
      expect(String(event?.attributes?.['extra.nested'])).toHaveLength(100);
    } finally {
      await h.close();
    }
  });
});
