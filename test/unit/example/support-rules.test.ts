// The support pipeline's deterministic rules on the shipped knowledge base: triage, routing, escalation
// reasons, and the confidence formula both completion paths share.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { composeAnswer } from '../../../examples/support-service/src/llm/local-responder.js';
import { computeConfidence } from '../../../examples/support-service/src/pipeline/confidence.js';
import { escalationReason } from '../../../examples/support-service/src/pipeline/escalator.js';
import { route } from '../../../examples/support-service/src/pipeline/router.js';
import { triage } from '../../../examples/support-service/src/pipeline/triage.js';
import { KnowledgeBase } from '../../../examples/support-service/src/rag/knowledge-base.js';

const kb = new KnowledgeBase(fileURLToPath(new URL('../../../examples/support-service/knowledge', import.meta.url)));

describe('triage and routing', () => {
  it.each([
    ['I was charged twice on my invoice', { category: 'billing', priority: 'medium', sentiment: 'neutral' }],
    [
      'My package was never delivered, this is unacceptable',
      { category: 'shipping', priority: 'medium', sentiment: 'negative' },
    ],
    [
      'The app crashes, our whole team is down, urgent!',
      { category: 'technical', priority: 'urgent', sentiment: 'neutral' },
    ],
    ['Great service, love it', { category: 'general', priority: 'low', sentiment: 'positive' }],
  ])('%s', (text, expected) => {
    expect(triage(text)).toEqual(expected);
  });

  it('routes high and urgent tickets to the priority tier', () => {
    expect(route({ category: 'billing', priority: 'urgent', sentiment: 'neutral' }).queue).toBe('billing.priority');
    expect(route({ category: 'account', priority: 'medium', sentiment: 'neutral' }).queue).toBe('account.standard');
  });

  it('names the first escalation reason that applies', () => {
    const calm = { category: 'billing', priority: 'medium', sentiment: 'neutral' } as const;
    expect(escalationReason(calm, 0.9, false)).toBeUndefined();
    expect(escalationReason(calm, 0.3, false)).toBe('low_confidence');
    expect(escalationReason({ ...calm, sentiment: 'negative' }, 0.3, false)).toBe('negative_sentiment');
    expect(escalationReason({ ...calm, priority: 'high', sentiment: 'negative' }, 0.3, false)).toBe('high_priority');
    expect(escalationReason(calm, 0.9, true)).toBe('model_failure');
  });
});

describe('confidence', () => {
  it('is high for a question the knowledge base answers, and the same every time', () => {
    const search = kb.search('empresa_002', 'How do I reset my password?');
    const answer = composeAnswer({
      companyName: 'Empresa 002',
      message: 'How do I reset my password?',
      passages: search.passages,
    });
    const confidence = computeConfidence(search, answer);
    expect(confidence).toBeGreaterThanOrEqual(0.85);
    expect(computeConfidence(kb.search('empresa_002', 'How do I reset my password?'), answer)).toBe(confidence);
  });

  it('is 0 with nothing retrieved or an empty answer, and drops when the answer leaves the articles', () => {
    const nothing = kb.search('empresa_001', 'purple elephants on Mars');
    expect(nothing.passages).toEqual([]);
    expect(computeConfidence(nothing, 'We do sell them.')).toBe(0);
    const search = kb.search('empresa_001', 'request a refund');
    expect(computeConfidence(search, '')).toBe(0);
    const grounded = computeConfidence(search, `${search.passages[0]!.heading}: ${search.passages[0]!.text}`);
    const wandering = computeConfidence(search, 'Quantum llamas negotiate interstellar tariffs nightly.');
    expect(wandering).toBeLessThan(grounded);
  });

  it('searches only the company knowledge base, falling back to the default one', () => {
    expect(kb.sourceFor('empresa_001')).toBe('kb_empresa_001');
    expect(kb.sourceFor('empresa_999')).toBe('kb_default');
    expect(kb.sourceFor('../etc')).toBe('kb_default');
    expect(kb.search('empresa_002', 'cancel subscription').passages[0]!.article).toBe('subscriptions');
    expect(kb.search('empresa_001', 'cancel subscription').passages.some((p) => p.article === 'subscriptions')).toBe(
      false,
    );
    expect(kb.search('empresa_001', 'exchange size color').passages[0]!.article).toBe('returns');
  });
});
