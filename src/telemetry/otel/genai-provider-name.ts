/**
 * The span processor that gives spans of instrumentations still on the older GenAI conventions the current
 * `gen_ai.provider.name`. Installed with the tracer provider; the GenAI span helpers are api/genai.ts.
 */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span as SdkSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_SYSTEM } from '../common/semconv.js';

function copyProviderName(span: SdkSpan): void {
  const attributes = span.attributes;
  const system = attributes[ATTR_GEN_AI_SYSTEM];
  if (typeof system === 'string' && attributes[ATTR_GEN_AI_PROVIDER_NAME] === undefined) {
    span.setAttribute(ATTR_GEN_AI_PROVIDER_NAME, system);
  }
}

/**
 * A span processor that gives spans of instrumentations still on the older GenAI conventions (the official
 * OpenAI instrumentation writes `gen_ai.system`) the current `gen_ai.provider.name`, which Sentry's AI views and
 * the current conventions read. Put it before the exporting processors: onEnding runs while the span is still
 * writable, which catches attributes set after start as well.
 */
export function genAiProviderNameProcessor(): SpanProcessor {
  return {
    onStart(span: SdkSpan, _parentContext: Context): void {
      copyProviderName(span);
    },
    onEnding(span: SdkSpan): void {
      copyProviderName(span);
    },
    onEnd(_span: ReadableSpan): void {},
    forceFlush(): Promise<void> {
      return Promise.resolve();
    },
    shutdown(): Promise<void> {
      return Promise.resolve();
    },
  };
}
