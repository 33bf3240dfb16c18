/**
 * The built-in responder used when no OpenAI key is configured: it composes a deterministic answer from the
 * retrieved passages and emits the same `chat <model>` span a model call would, with provider `local` and token
 * usage counted as the words in and out.
 */
import { withChatSpan } from 'otel-sentry-bridge';
import type { Completion, CompletionRequest, Responder } from './responder.js';
import { buildMessages } from './responder.js';

const MODEL = 'support-local-1';

function firstSentences(text: string, count: number): string {
  const sentences = text.match(/[^.!?]+[.!?]+/g) ?? [text];
  return sentences.slice(0, count).join('').trim();
}

function countTokens(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

export function composeAnswer(request: CompletionRequest): string {
  const [top, next] = request.passages;
  if (top === undefined) {
    return 'We received your message; a support specialist will review it and follow up shortly.';
  }
  let answer = `${top.heading}: ${firstSentences(top.text, 2)}`;
  if (next !== undefined && next.heading !== top.heading) answer += ` See also "${next.heading}".`;
  return answer;
}

export class LocalResponder implements Responder {
  readonly provider = 'local';
  readonly model = MODEL;

  complete(request: CompletionRequest): Promise<Completion> {
    const messages = buildMessages(request);
    return Promise.resolve(
      withChatSpan({ provider: this.provider, model: MODEL, messages }, (recorder) => {
        const answer = composeAnswer(request);
        recorder.setResult({
          responseModel: MODEL,
          inputTokens: messages.reduce((n, m) => n + countTokens(m.content), 0),
          outputTokens: countTokens(answer),
          finishReasons: ['stop'],
          output: answer,
        });
        return { answer, model: MODEL };
      }),
    );
  }
}
