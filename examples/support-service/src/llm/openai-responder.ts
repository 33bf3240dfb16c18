/**
 * Completions through the official `openai` SDK. The OpenTelemetry OpenAI instrumentation traces each call
 * (`chat <model>` spans), so no span is made here. The SDK's own timeout and bounded retries (with backoff,
 * on timeouts, 408/409/429 and 5xx) are the whole retry policy.
 */
import OpenAI from 'openai';
import type { OpenAiSettings } from '../config.js';
import type { Completion, CompletionRequest, Responder } from './responder.js';
import { buildMessages } from './responder.js';

export class OpenAiResponder implements Responder {
  readonly provider = 'openai';
  readonly model: string;
  private readonly client: OpenAI;

  constructor(settings: OpenAiSettings) {
    this.model = settings.model;
    this.client = new OpenAI({
      apiKey: settings.apiKey,
      ...(settings.baseURL !== undefined && { baseURL: settings.baseURL }),
      timeout: settings.timeoutMs,
      maxRetries: settings.maxRetries,
    });
  }

  async complete(request: CompletionRequest): Promise<Completion> {
    const completion = await this.client.chat.completions.create({
      model: this.model,
      messages: buildMessages(request),
      temperature: 0,
      max_completion_tokens: 300,
    });
    const answer = completion.choices[0]?.message.content?.trim();
    if (!answer) throw new Error(`model ${this.model} returned an empty answer`);
    return { answer, model: completion.model };
  }
}
