// Shared by the sampling e2e tests: what a real @sentry/node 11 peer sent to its fake Sentry.
import type { FakeSentry } from '../kit/index.js';

export interface StreamedSpan {
  trace_id: string;
  span_id: string;
  parent_span_id?: string;
  is_segment?: boolean;
}

/**
 * Spans @sentry/node 11 sent in its own tracing mode: it streams them as `span` items (span v2), not as
 * transactions. Each comes with its envelope's `trace` header (the DSC).
 */
export function streamedSpans(sentry: FakeSentry): Array<{ span: StreamedSpan; dsc: unknown }> {
  return sentry.envelopes.flatMap((envelope) =>
    envelope.items
      .filter((item) => item.type === 'span')
      .flatMap((item) =>
        ((item.payload as { items?: StreamedSpan[] }).items ?? []).map((span) => ({
          span,
          dsc: envelope.headers['trace'],
        })),
      ),
  );
}
