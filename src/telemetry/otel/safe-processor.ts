/**
 * The SDK's MultiSpanProcessor calls processors without a try/catch, inside the app's own calls (a span starts
 * in `http.request`, in the server's request handler). A processor of ours that throws must cost a missing
 * attribute, never the app's request.
 */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';

export function safeProcessor(processor: SpanProcessor): SpanProcessor {
  const onEnding = processor.onEnding?.bind(processor);
  return {
    onStart(span: Span, parentContext: Context): void {
      try {
        processor.onStart(span, parentContext);
      } catch {
        // Attributes of this span stay incomplete; the request goes on.
      }
    },
    ...(onEnding
      ? {
          onEnding(span: Span): void {
            try {
              onEnding(span);
            } catch {
              // As above.
            }
          },
        }
      : {}),
    onEnd(span: ReadableSpan): void {
      try {
        processor.onEnd(span);
      } catch {
        // As above.
      }
    },
    forceFlush: () => processor.forceFlush(),
    shutdown: () => processor.shutdown(),
  };
}
