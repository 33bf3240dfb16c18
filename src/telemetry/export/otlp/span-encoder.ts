/**
 * OTLP/protobuf encoding of trace data (opentelemetry-proto `trace/v1`), written with ProtoWriter. Field order
 * and the fields written or skipped follow @opentelemetry/otlp-transformer's ProtobufTraceSerializer, so a
 * request assembled from these pieces is byte-identical to the stock one (test/unit/export/otlp/batch.test.ts).
 * It exists so a span can be encoded when it ends, one at a time, instead of being held until its batch leaves.
 */
import type { AttributeValue, Attributes, Link, SpanContext } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { ProtoWriter, WIRE_FIXED32, WIRE_FIXED64, WIRE_LENGTH_DELIMITED as LEN, WIRE_VARINT } from './proto-writer.js';

const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;
const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | HAS_IS_REMOTE | (isRemote ? IS_REMOTE : 0);
}

/** AnyValue's body. Values outside the attribute types (undefined, functions) encode as an empty AnyValue. */
function writeAnyValue(writer: ProtoWriter, value: unknown): void {
  if (typeof value === 'string') {
    writer.tag(1, LEN);
    writer.string(value);
  } else if (typeof value === 'boolean') {
    writer.tag(2, WIRE_VARINT);
    writer.varint(value ? 1 : 0);
  } else if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) {
      writer.tag(3, WIRE_VARINT);
      writer.varint(value);
    } else {
      writer.tag(4, WIRE_FIXED64);
      writer.double(value);
    }
  } else if (value instanceof Uint8Array) {
    writer.tag(7, LEN);
    writer.bytes(value);
  } else if (Array.isArray(value)) {
    writer.tag(5, LEN);
    const array = writer.startMessage();
    for (const item of value as unknown[]) {
      writer.tag(1, LEN);
      const start = writer.startMessage();
      writeAnyValue(writer, item);
      writer.endMessage(start);
    }
    writer.endMessage(array);
  } else if (typeof value === 'object' && value !== null) {
    writer.tag(6, LEN);
    const list = writer.startMessage();
    writeAttributes(writer, value as Record<string, unknown>, 1);
    writer.endMessage(list);
  }
}

/** Each own key as a KeyValue under `field`. */
function writeAttributes(writer: ProtoWriter, attributes: Attributes | Record<string, unknown>, field: number): void {
  for (const key in attributes) {
    if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
    writer.tag(field, LEN);
    const keyValue = writer.startMessage();
    writer.tag(1, LEN);
    writer.string(key);
    writer.tag(2, LEN);
    const value = writer.startMessage();
    writeAnyValue(writer, attributes[key] as AttributeValue | undefined);
    writer.endMessage(value);
    writer.endMessage(keyValue);
  }
}

function writeEvent(writer: ProtoWriter, event: TimedEvent): void {
  writer.tag(11, LEN);
  const start = writer.startMessage();
  writer.tag(1, WIRE_FIXED64);
  writer.hrTime(event.time);
  writer.tag(2, LEN);
  writer.string(event.name);
  if (event.attributes) writeAttributes(writer, event.attributes, 3);
  writer.tag(4, WIRE_VARINT);
  writer.varint(event.droppedAttributesCount || 0);
  writer.endMessage(start);
}

/** trace_id, span_id and trace_state: fields 1 to 3 of both Span and Span.Link. */
function writeIds(writer: ProtoWriter, context: SpanContext): void {
  writer.tag(1, LEN);
  writer.hexBytes(context.traceId);
  writer.tag(2, LEN);
  writer.hexBytes(context.spanId);
  const traceState = context.traceState?.serialize();
  if (traceState) {
    writer.tag(3, LEN);
    writer.string(traceState);
  }
}

function writeLink(writer: ProtoWriter, link: Link): void {
  const context: SpanContext = link.context;
  writer.tag(13, LEN);
  const start = writer.startMessage();
  writeIds(writer, context);
  if (link.attributes) writeAttributes(writer, link.attributes, 4);
  writer.tag(5, WIRE_VARINT);
  writer.varint(link.droppedAttributesCount || 0);
  writer.tag(6, WIRE_FIXED32);
  writer.fixed32(spanFlags(context.traceFlags, context.isRemote));
  writer.endMessage(start);
}

/** The body of one `Span` message (without its own tag and length). */
export function writeSpan(writer: ProtoWriter, span: ReadableSpan): void {
  const context = span.spanContext();
  const parent = span.parentSpanContext;
  writeIds(writer, context);
  if (parent?.spanId) {
    writer.tag(4, LEN);
    writer.hexBytes(parent.spanId);
  }
  writer.tag(5, LEN);
  writer.string(span.name);
  // The proto's SpanKind has UNSPECIFIED at 0, so the API's kinds are shifted by one.
  const kind = span.kind == null ? 0 : span.kind + 1;
  if (kind !== 0) {
    writer.tag(6, WIRE_VARINT);
    writer.varint(kind);
  }
  writer.tag(7, WIRE_FIXED64);
  writer.hrTime(span.startTime);
  writer.tag(8, WIRE_FIXED64);
  writer.hrTime(span.endTime);
  writeAttributes(writer, span.attributes, 9);
  writer.tag(10, WIRE_VARINT);
  writer.varint(span.droppedAttributesCount);
  for (const event of span.events) writeEvent(writer, event);
  writer.tag(12, WIRE_VARINT);
  writer.varint(span.droppedEventsCount);
  for (const link of span.links) writeLink(writer, link);
  writer.tag(14, WIRE_VARINT);
  writer.varint(span.droppedLinksCount);
  writer.tag(15, LEN);
  const status = writer.startMessage();
  if (span.status.message) {
    writer.tag(2, LEN);
    writer.string(span.status.message);
  }
  writer.tag(3, WIRE_VARINT);
  writer.varint(span.status.code);
  writer.endMessage(status);
  writer.tag(16, WIRE_FIXED32);
  writer.fixed32(spanFlags(context.traceFlags, parent?.isRemote));
}

/** Spans already encoded with writeSpan, grouped under their instrumentation scope. */
export interface EncodedScopeSpans {
  scope: InstrumentationScope;
  /** Each span as `spans` (field 2) of ScopeSpans: tag, length, body. */
  spans: ProtoWriter;
}

function writeScopeSpans(writer: ProtoWriter, { scope, spans }: EncodedScopeSpans): void {
  writer.tag(2, LEN);
  const start = writer.startMessage();
  writer.tag(1, LEN);
  const scopeStart = writer.startMessage();
  writer.tag(1, LEN);
  writer.string(scope.name);
  if (scope.version) {
    writer.tag(2, LEN);
    writer.string(scope.version);
  }
  writer.endMessage(scopeStart);
  writer.raw(spans.buffer, 0, spans.pos);
  if (scope.schemaUrl) {
    writer.tag(3, LEN);
    writer.string(scope.schemaUrl);
  }
  writer.endMessage(start);
}

/** A whole ExportTraceServiceRequest from encoded spans, one ResourceSpans per resource. */
export function writeTraceRequest(
  writer: ProtoWriter,
  groups: Iterable<[Resource, Iterable<EncodedScopeSpans>]>,
): void {
  for (const [resource, scopes] of groups) {
    writer.tag(1, LEN);
    const start = writer.startMessage();
    writer.tag(1, LEN);
    const resourceStart = writer.startMessage();
    writeAttributes(writer, resource.attributes, 1);
    writer.tag(2, WIRE_VARINT);
    writer.varint(0);
    writer.endMessage(resourceStart);
    for (const scopeSpans of scopes) writeScopeSpans(writer, scopeSpans);
    if (resource.schemaUrl) {
      writer.tag(3, LEN);
      writer.string(resource.schemaUrl);
    }
    writer.endMessage(start);
  }
}
