// The same support scenario under each exporter setting (Sentry only, OTLP only, both, console) tells the same
// story: the same trace shape and business attributes at every span backend, the same business events at Sentry
// whenever a DSN is set, and nothing at a backend that is not configured.
import { describe, expect, it } from 'vitest';
import { useKitCleanup, type ReceivedSpan } from '../kit/index.js';
import { KEY_001, ingestOk, ingestTrace, startSupport, storyOf, type Backends, type Story } from './support-helpers.js';

useKitCleanup();

const HIGH = { channel: 'web', text: 'How do I reset my password?', external_user_id: 'matrix-high' };
const LOW = { channel: 'telegram', text: 'Do you sell purple elephants on Mars?', external_user_id: 'matrix-low' };

const AGENTS = ['invoke_agent Triage', 'invoke_agent Router', 'invoke_agent Resolver', 'invoke_agent Escalator'];
const DB = [
  'INSERT escalations',
  'INSERT interactions',
  'INSERT tickets',
  'SELECT api_keys',
  'SELECT tickets',
  'UPDATE tickets',
];

function expectedStories(highConfidence: number): [Story, Story] {
  return [
    {
      agents: AGENTS,
      resolverChildren: ['retrieval kb_empresa_001', 'chat support-local-1'],
      workflow: { category: 'account', priority: 'medium', confidence: highConfidence, escalated: false },
      businessEvents: ['New ticket created', 'High confidence response generated'],
      dbSummaries: DB.filter((d) => d !== 'INSERT escalations'),
    },
    {
      agents: AGENTS,
      resolverChildren: ['retrieval kb_empresa_001', 'chat support-local-1'],
      workflow: { category: 'general', priority: 'low', confidence: 0, escalated: true },
      businessEvents: ['New ticket created', 'Low confidence response'],
      dbSummaries: DB,
    },
  ];
}

describe.each<Backends>(['sentry', 'otlp', 'both', 'console'])('support scenario with exporters=%s', (backends) => {
  it('tells the same story', async () => {
    const { app, sentry, otlp } = await startSupport(backends);
    const high = await ingestOk(app, KEY_001, HIGH);
    const low = await ingestOk(app, KEY_001, LOW);
    expect(high).toMatchObject({ status: 'answered', escalated: false });
    expect(high.confidence).toBeGreaterThanOrEqual(0.85);
    expect(low).toMatchObject({ status: 'escalated', escalated: true, confidence: 0 });
    const expected = expectedStories(high.confidence);

    const sources: { name: string; spans: (ticket: string) => Promise<ReceivedSpan[]> }[] = [];
    if (backends === 'sentry' || backends === 'both')
      sources.push({ name: 'sentry', spans: (t) => ingestTrace(sentry, t) });
    if (backends === 'otlp' || backends === 'both') sources.push({ name: 'otlp', spans: (t) => ingestTrace(otlp, t) });
    for (const source of sources) {
      expect({ source: source.name, story: storyOf(await source.spans(high.ticket_id)) }).toEqual({
        source: source.name,
        story: expected[0],
      });
      expect({ source: source.name, story: storyOf(await source.spans(low.ticket_id)) }).toEqual({
        source: source.name,
        story: expected[1],
      });
    }

    if (backends === 'console') {
      // The tenant shows in the tree too: the layer's scope bridge runs whatever the exporter.
      await app.waitForLine(/└ invoke_agent Resolver .*gen_ai\.provider\.name=local.*tenant\.id=empresa_001/, 15_000);
      const out = `${app.stdout()}${app.stderr()}`;
      for (const name of [
        'invoke_workflow support_pipeline',
        ...AGENTS,
        'retrieval kb_empresa_001',
        'chat support-local-1',
        'SELECT tickets',
      ]) {
        expect(out).toContain(`└ ${name} `);
      }
    }

    if (backends === 'otlp') {
      // No DSN: Sentry hears nothing, and the business events still reach the span backend (checked above).
      expect(sentry.requests).toEqual([]);
    } else {
      const events = await sentry.waitForEvents(
        (e) =>
          ['New ticket created', 'High confidence response generated', 'Low confidence response'].includes(
            String(e.message),
          ),
        15_000,
        4,
      );
      expect(
        events.map((e) => `${String(e.message)}/${String(e.level)}/${String(e.tags?.company_id)}`).toSorted(),
      ).toEqual([
        'High confidence response generated/info/empresa_001',
        'Low confidence response/warning/empresa_001',
        'New ticket created/info/empresa_001',
        'New ticket created/info/empresa_001',
      ]);
      expect(
        events
          .filter((e) => e.message === 'New ticket created')
          .map((e) => e.tags?.channel)
          .toSorted(),
      ).toEqual(['telegram', 'web']);
    }
    if (backends === 'sentry' || backends === 'console') expect(otlp.requests).toEqual([]);
    if (backends === 'console') expect(sentry.spans).toEqual([]);
  });
});
