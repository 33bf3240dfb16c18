/**
 * The confidence of an answer: one deterministic formula, the same for the local responder and the model.
 *
 *   coverage  = |query terms matched by the best passage| / |query terms|
 *   grounding = |answer terms found in the retrieved passages or the query| / |answer terms|
 *   confidence = round2(0.75 * coverage + 0.25 * grounding)
 *
 * and 0 when nothing was retrieved or the answer is empty. Terms are the knowledge base's content terms
 * (lower case, stop words removed). Coverage says whether the knowledge base knows the subject; grounding
 * says whether the answer stays with what it knows, so a model that wanders off the articles loses confidence.
 */
import { contentTerms } from '../rag/knowledge-base.js';
import type { SearchResult } from '../rag/knowledge-base.js';

export const HIGH_CONFIDENCE = 0.85;
export const LOW_CONFIDENCE = 0.5;

export function computeConfidence(search: SearchResult, answer: string): number {
  const top = search.passages[0];
  const answerTerms = contentTerms(answer);
  if (top === undefined || answerTerms.length === 0 || search.queryTerms.length === 0) return 0;
  const matched = new Set(top.matchedTerms);
  const coverage = search.queryTerms.filter((t) => matched.has(t)).length / search.queryTerms.length;
  const known = new Set([
    ...search.queryTerms,
    ...search.passages.flatMap((p) => contentTerms(`${p.heading} ${p.text}`)),
  ]);
  const grounding = answerTerms.filter((t) => known.has(t)).length / answerTerms.length;
  return Math.round((0.75 * coverage + 0.25 * grounding) * 100) / 100;
}
