/** What the Resolver needs from a completion backend, whichever it is. */
import type { Passage } from '../rag/knowledge-base.js';

export interface CompletionRequest {
  companyName: string;
  message: string;
  passages: readonly Passage[];
}

export interface Completion {
  answer: string;
  model: string;
}

export interface Responder {
  /** `openai` or `local`, as `gen_ai.provider.name` spells it. */
  readonly provider: string;
  readonly model: string;
  /** Rejects when the model fails after its bounded retries; the caller escalates. */
  complete(request: CompletionRequest): Promise<Completion>;
}

/** The prompt both paths send (the local responder records it on its span as the model would see it). */
export function buildMessages(request: CompletionRequest): { role: 'system' | 'user'; content: string }[] {
  const articles = request.passages.map((p, i) => `[${i + 1}] ${p.title} / ${p.heading}\n${p.text}`).join('\n\n');
  return [
    {
      role: 'system',
      content:
        `You are the customer support assistant of ${request.companyName}. Answer in at most three sentences, ` +
        `using only the help center articles below. If they do not answer the question, say a specialist will ` +
        `follow up.\n\n${articles || '(no matching articles)'}`,
    },
    { role: 'user', content: request.message },
  ];
}
