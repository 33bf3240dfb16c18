/**
 * Links every Sentry error event to its OpenTelemetry trace the way Sentry's own tracing does: the event's trace
 * context carries trace id, span id, parent span id and the `sampled` flag, and the envelope's `trace` header
 * carries the trace's DSC, so Sentry shows the error on its trace and applies dynamic sampling to it. Errors are
 * sent whatever the trace's decision.
 */
import { context as otelContext, trace, TraceFlags, type Context, type SpanContext } from '@opentelemetry/api';
import type { Client, Event, EventHint, Integration } from '@sentry/core';
import { freezeDsc } from '../sampling/dsc.js';
import { getTraceHead, type Dsc } from '../sampling/trace-head.js';

interface CapturedTrace {
  spanContext: SpanContext;
  parentSpanId?: string;
  dsc?: Dsc;
}

export const TRACE_LINK_INTEGRATION_NAME = 'OtelSentryTraceLink';

/** The SDK span exposes its parent; the API type does not, so read it without trusting its presence. */
function parentSpanIdOf(activeContext: Context): string | undefined {
  const span = trace.getSpan(activeContext) as { parentSpanContext?: { spanId?: unknown } } | undefined;
  const spanId = span?.parentSpanContext?.spanId;
  return typeof spanId === 'string' ? spanId : undefined;
}

function captureTrace(activeContext: Context): CapturedTrace | undefined {
  const spanContext = trace.getSpanContext(activeContext);
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return undefined;
  const head = getTraceHead(spanContext);
  const parentSpanId = parentSpanIdOf(activeContext);
  return {
    spanContext,
    ...(parentSpanId ? { parentSpanId } : {}),
    ...(head ? { dsc: freezeDsc(head, activeContext) } : {}),
  };
}

export function sentryTraceLinkIntegration(): Integration {
  // The hint object travels unchanged from preprocessEvent to postprocessEvent; the event is copied in between.
  const captured = new WeakMap<EventHint, CapturedTrace>();
  return {
    name: TRACE_LINK_INTEGRATION_NAME,
    setup(client: Client): void {
      client.on('preprocessEvent', (_event: Event, hint?: EventHint) => {
        if (!hint) return;
        // Read the active span while still inside the capturing call, before any asynchronous processor runs.
        const link = captureTrace(otelContext.active());
        if (link) captured.set(hint, link);
      });
      client.on('postprocessEvent', (event: Event, hint?: EventHint) => {
        const link = hint ? captured.get(hint) : undefined;
        if (!link) return;
        const { traceId, spanId, traceFlags } = link.spanContext;
        event.contexts = {
          ...event.contexts,
          trace: {
            ...event.contexts?.trace,
            trace_id: traceId,
            span_id: spanId,
            ...(link.parentSpanId ? { parent_span_id: link.parentSpanId } : {}),
            sampled: (traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED,
          },
        };
        if (link.dsc) {
          event.sdkProcessingMetadata = { ...event.sdkProcessingMetadata, dynamicSamplingContext: { ...link.dsc } };
        }
      });
    },
  };
}
