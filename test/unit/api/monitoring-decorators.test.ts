import { SpanStatusCode } from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captureErrors, monitorPerformance } from '../../../src/telemetry/api/decorators.js';
import { makeConfig, spanNamed, startHarness, type Harness } from '../../fixtures/monitoring-harness.js';

// The test transform may rename the class (`_TriageAgent`): span names are checked against `TriageAgent.name`.
class TriageAgent {
  constructor(readonly prefix: string) {}

  @monitorPerformance({ op: 'agent.execute' })
  async executeTriageAgent(ticketId: string, priority: number): Promise<string> {
    await new Promise((r) => setTimeout(r, 1));
    return `${this.prefix}:${ticketId}:${priority}`;
  }

  @monitorPerformance({ op: 'agent.score' })
  score(a: number, b: number): number {
    return a * b + this.prefix.length;
  }

  @captureErrors({ level: 'error', reraise: true })
  async criticalOperation(reason: string): Promise<string> {
    throw new Error(`${this.prefix} failed: ${reason}`);
  }

  @captureErrors({ level: 'warning', reraise: false })
  async optionalOperation(): Promise<string> {
    throw new Error('optional failed');
  }

  @captureErrors({ reraise: false })
  syncOptional(fail: boolean): string {
    if (fail) throw new Error('sync optional failed');
    return this.prefix;
  }

  // Both forms stacked, as the support code does: the error is captured inside the monitored span.
  @monitorPerformance({ op: 'agent.execute' })
  @captureErrors({ reraise: true })
  async escalate(): Promise<void> {
    throw new Error('escalation failed');
  }

  @monitorPerformance({ op: 'agent.static' })
  static create(prefix: string): TriageAgent {
    return new TriageAgent(prefix);
  }
}

async function loadTicket(id: string): Promise<{ id: string }> {
  return { id };
}

describe.each([
  { mode: 'Sentry on', sentryOn: true },
  { mode: 'Sentry off (OTLP only)', sentryOn: false },
])('monitorPerformance / captureErrors, $mode', ({ sentryOn }) => {
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

  const messages = async (): Promise<string[]> => (await h.events()).map((e) => e.exception?.values?.[0]?.value ?? '');
  /** With Sentry off nothing reaches the fake Sentry: the expectation becomes "no event". */
  const whenOn = <T>(value: T[]): T[] => (sentryOn ? value : []);

  it('method decorator keeps this, arguments and the async return value, in a span with the op', async () => {
    const agent = new TriageAgent('triage');
    const result = agent.executeTriageAgent('T-1', 2);
    expect(result).toBeInstanceOf(Promise);
    await expect(result).resolves.toBe('triage:T-1:2');
    const span = spanNamed(h.spans(), `${TriageAgent.name}.executeTriageAgent`);
    expect(span.attributes['sentry.op']).toBe('agent.execute');
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('a sync method stays sync; a static method is named after its class', () => {
    const agent = TriageAgent.create('abc');
    expect(agent).toBeInstanceOf(TriageAgent);
    const value = agent.score(3, 4);
    expect(value).toBe(15);
    expect(
      h
        .spans()
        .map((s) => s.name)
        .toSorted(),
    ).toEqual([`${TriageAgent.name}.create`, `${TriageAgent.name}.score`]);
  });

  it('captureErrors with reraise rejects with the same error and captures it once', async () => {
    const agent = new TriageAgent('crit');
    await expect(agent.criticalOperation('disk')).rejects.toThrow('crit failed: disk');
    expect(await messages()).toEqual(whenOn(['crit failed: disk']));
  });

  it('captureErrors with reraise: false resolves (or returns) undefined and still captures', async () => {
    const agent = new TriageAgent('opt');
    await expect(agent.optionalOperation()).resolves.toBeUndefined();
    expect(agent.syncOptional(false)).toBe('opt');
    expect(agent.syncOptional(true)).toBeUndefined();
    const events = (await h.events()).map((e) => [e.exception?.values?.[0]?.value, e.level]);
    expect(events).toEqual(
      whenOn([
        ['optional failed', 'warning'],
        ['sync optional failed', 'error'],
      ]),
    );
  });

  it('stacked: one Sentry event, one exception event with the event id, ERROR span', async () => {
    await expect(new TriageAgent('x').escalate()).rejects.toThrow('escalation failed');
    const span = spanNamed(h.spans(), `${TriageAgent.name}.escalate`);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    const exceptions = span.events.filter((e) => e.name === 'exception');
    expect(exceptions).toHaveLength(1);
    const eventId = exceptions[0]?.attributes?.['sentry.event_id'];
    expect(eventId).toMatch(/^[0-9a-f]{32}$/);
    const events = (await h.events()).filter((e) => e.exception?.values?.[0]?.value === 'escalation failed');
    expect(events.map((e) => e.event_id)).toEqual(whenOn([eventId]));
  });

  it('wrapper form for plain functions: this, arguments, sync/async and rethrow policy', async () => {
    const ctx = { base: 10 };
    const add = monitorPerformance({ op: 'math' })(function addBase(this: typeof ctx, n: number): number {
      return this.base + n;
    });
    expect(add.call(ctx, 5)).toBe(15);
    expect(add.name).toBe('addBase');
    const fetchTicket = monitorPerformance({ op: 'db.query' })(loadTicket);
    await expect(fetchTicket('T-7')).resolves.toEqual({ id: 'T-7' });

    const boom = new Error('wrapped boom');
    const rethrows = captureErrors({ level: 'error', reraise: true })(() => {
      throw boom;
    });
    expect(() => rethrows()).toThrow(boom);
    const swallows = captureErrors({ reraise: false })(async (): Promise<number> => {
      throw new Error('wrapped swallowed');
    });
    await expect(swallows()).resolves.toBeUndefined();
    const passes = captureErrors({ reraise: false })((a: number, b: number) => a + b);
    expect(passes(2, 3)).toBe(5);

    const spans = h.spans();
    expect(spanNamed(spans, 'addBase').attributes['sentry.op']).toBe('math');
    expect(spanNamed(spans, 'loadTicket').attributes['sentry.op']).toBe('db.query');
    expect(await messages()).toEqual(whenOn(['wrapped boom', 'wrapped swallowed']));
  });
});
