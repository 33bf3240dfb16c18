/**
 * The SDK's MultiSpanProcessor calls processors without a try/catch, inside the app's own calls (a span starts
 * in `http.request`, in the server's request handler). A processor of ours that throws must cost a missing
 * attribute, never the app's request; the failure is counted and logged once (internal-errors.ts).
 */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { reportInternalError } from '../common/internal-errors.js';

/** `name` names the processor in the error report (`processor:<name>.onStart`). */
export function safeProcessor(processor: SpanProcessor, name: string = processor.constructor.name): SpanProcessor {
  const onEnding = processor.onEnding?.bind(processor);
  const site = `processor:${name}`;
  return {
    onStart(span: Span, parentContext: Context): void {
      try {
        processor.onStart(span, parentContext);
      } catch (error) {
        // Attributes of this span stay incomplete; the request goes on.
        reportInternalError(`${site}.onStart`, error);
      }
    },
    ...(onEnding
      ? {
          onEnding(span: Span): void {
            try {
              onEnding(span);
            } catch (error) {
              reportInternalError(`${site}.onEnding`, error);
            }
          },
        }
      : {}),
    onEnd(span: ReadableSpan): void {
      try {
        processor.onEnd(span);
      } catch (error) {
        reportInternalError(`${site}.onEnd`, error);
      }
    },
    forceFlush: () => processor.forceFlush(),
    shutdown: () => processor.shutdown(),
  };
}
