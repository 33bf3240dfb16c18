/**
 * Scrubs spans on their way to any exporter with the same rules as Sentry events, so swapping the span backend
 * never changes what leaves the process. Wrapping the exporter (rather than a processor) keeps the live span
 * untouched for the processors that still read it, and covers attributes set after the last processor ran.
 */
import type { Attributes, Link } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter, TimedEvent } from '@opentelemetry/sdk-trace';
import { redactorFor, type RedactionConfig, type Redactor } from './redactor.js';

// Plain loops: these run for every exported span, and most spans have no events or links at all.
function scrubEvents(events: TimedEvent[], redactor: Redactor): TimedEvent[] {
  let out: TimedEvent[] | undefined;
  for (let index = 0; index < events.length; index++) {
    const event = events[index] as TimedEvent;
    const attributes = event.attributes === undefined ? undefined : redactor.scrubAttributes(event.attributes);
    const name = redactor.scrubString(event.name);
    if (attributes !== event.attributes || name !== event.name) {
      out ??= [...events];
      out[index] = { ...event, name, ...(attributes !== undefined ? { attributes } : {}) };
    }
  }
  return out ?? events;
}

function scrubLinks(links: Link[], redactor: Redactor): Link[] {
  let out: Link[] | undefined;
  for (let index = 0; index < links.length; index++) {
    const link = links[index] as Link;
    if (link.attributes === undefined) continue;
    const attributes = redactor.scrubAttributes(link.attributes);
    if (attributes !== link.attributes) {
      out ??= [...links];
      out[index] = { ...link, attributes };
    }
  }
  return out ?? links;
}

/** A read-only view of `span` with scrubbed data; the span itself is shared with other exporters. */
export function redactSpan(span: ReadableSpan, redactor: Redactor): ReadableSpan {
  const attributes: Attributes = redactor.scrubAttributes(span.attributes);
  const events = scrubEvents(span.events, redactor);
  const links = scrubLinks(span.links, redactor);
  const name = redactor.scrubString(span.name);
  const message = span.status.message === undefined ? undefined : redactor.scrubString(span.status.message);
  if (
    attributes === span.attributes &&
    events === span.events &&
    links === span.links &&
    name === span.name &&
    message === span.status.message
  ) {
    return span;
  }
  return {
    name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    ...(span.parentSpanContext !== undefined ? { parentSpanContext: span.parentSpanContext } : {}),
    startTime: span.startTime,
    endTime: span.endTime,
    status: message === undefined ? { code: span.status.code } : { code: span.status.code, message },
    attributes,
    links,
    events,
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

export type SpanRedactor = (span: ReadableSpan) => ReadableSpan;

/**
 * Scrubs a span once, however many span-object exporters receive it: the view is remembered for the span's
 * lifetime. (The OTLP/protobuf path scrubs once by construction and calls `redactSpan` directly.)
 */
export function createSpanRedactor(redactor: Redactor): SpanRedactor {
  // The view rides on the span under a symbol of this redactor. A property, not a WeakMap: an entry per exported
  // span was most of the redaction's cost (and ephemeron work for the collector), and every span gets the
  // property at the same point, so span objects keep one shape.
  const VIEW = Symbol('otel-sentry-bridge.redactedView');
  return (span) => {
    const carrier = span as ReadableSpan & { [VIEW]?: ReadableSpan };
    let view = carrier[VIEW];
    if (view === undefined) {
      view = redactSpan(span, redactor);
      carrier[VIEW] = view;
    }
    return view;
  };
}

export function createRedactingExporter(
  exporter: SpanExporter,
  redactOrConfig: SpanRedactor | RedactionConfig,
): SpanExporter {
  const redact =
    typeof redactOrConfig === 'function' ? redactOrConfig : createSpanRedactor(redactorFor(redactOrConfig));
  const wrapped: SpanExporter = {
    export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
      exporter.export(spans.map(redact), resultCallback);
    },
    shutdown: () => exporter.shutdown(),
  };
  if (exporter.forceFlush !== undefined) {
    const forceFlush = exporter.forceFlush.bind(exporter);
    wrapped.forceFlush = () => forceFlush();
  }
  return wrapped;
}
