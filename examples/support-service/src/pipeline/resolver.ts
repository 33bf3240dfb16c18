/**
 * The Resolver agent: retrieves the company's articles, asks the responder for an answer, and scores it.
 * A failing model never fails the request: the answer falls back to a hand-off message with confidence 0,
 * which the Escalator turns into an escalation.
 */
import { addBreadcrumb, captureException, withRetrievalSpan } from 'otel-sentry-bridge';
import type { Responder } from '../llm/responder.js';
import type { KnowledgeBase, SearchResult } from '../rag/knowledge-base.js';
import { computeConfidence } from './confidence.js';

export const HANDOFF_ANSWER =
  'Thanks for your message. A support specialist is reviewing your ticket and will reply shortly.';

export interface Resolution {
  answer: string;
  confidence: number;
  modelFailed: boolean;
  search: SearchResult;
}

export interface ResolverInput {
  companyId: string;
  companyName: string;
  ticketId: string;
  text: string;
}

export async function resolve(kb: KnowledgeBase, responder: Responder, input: ResolverInput): Promise<Resolution> {
  const search = withRetrievalSpan({ source: kb.sourceFor(input.companyId), query: input.text }, (recorder) => {
    const result = kb.search(input.companyId, input.text);
    recorder.setResults(result.passages.map((p) => ({ id: p.id, score: p.score })));
    return result;
  });
  // The query is the customer's own words: it stays out of breadcrumbs (the retrieval span records it when
  // GenAI content capture is on).
  addBreadcrumb({
    message: 'Queried RAG knowledge base',
    category: 'rag',
    level: 'debug',
    data: {
      results_count: search.passages.length,
      top_score: search.passages[0]?.score ?? 0,
      articles: search.passages.map((p) => p.id),
    },
  });

  try {
    const completion = await responder.complete({
      companyName: input.companyName,
      message: input.text,
      passages: search.passages,
    });
    const confidence = computeConfidence(search, completion.answer);
    addBreadcrumb({
      message: 'Generated response',
      category: 'ai',
      level: 'info',
      data: {
        provider: responder.provider,
        model: completion.model,
        confidence,
        response_length: completion.answer.length,
      },
    });
    return { answer: completion.answer, confidence, modelFailed: false, search };
  } catch (error) {
    captureException(error, {
      level: 'error',
      tags: { operation: 'completion', module: 'resolver', 'gen_ai.provider.name': responder.provider },
      extra: { ticket_id: input.ticketId, model: responder.model },
    });
    addBreadcrumb({
      message: 'Completion failed, handing off to a specialist',
      category: 'ai',
      level: 'error',
      data: { provider: responder.provider, model: responder.model },
    });
    return { answer: HANDOFF_ANSWER, confidence: 0, modelFailed: true, search };
  }
}
