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
import {
  ANY_VALUE_ARRAY_VALUE,
  ANY_VALUE_BOOL_VALUE,
  ANY_VALUE_BYTES_VALUE,
  ANY_VALUE_DOUBLE_VALUE,
  ANY_VALUE_INT_VALUE,
  ANY_VALUE_KVLIST_VALUE,
  ANY_VALUE_STRING_VALUE,
  ARRAY_VALUE_VALUES,
  EXPORT_TRACE_SERVICE_REQUEST_RESOURCE_SPANS,
  INSTRUMENTATION_SCOPE_NAME,
  INSTRUMENTATION_SCOPE_VERSION,
  KEY_VALUE_KEY,
  KEY_VALUE_LIST_VALUES,
  KEY_VALUE_VALUE,
  RESOURCE_ATTRIBUTES,
  RESOURCE_DROPPED_ATTRIBUTES_COUNT,
  RESOURCE_SPANS_RESOURCE,
  RESOURCE_SPANS_SCHEMA_URL,
  RESOURCE_SPANS_SCOPE_SPANS,
  SCOPE_SPANS_SCHEMA_URL,
  SCOPE_SPANS_SCOPE,
  SPAN_ATTRIBUTES,
  SPAN_DROPPED_ATTRIBUTES_COUNT,
  SPAN_DROPPED_EVENTS_COUNT,
  SPAN_DROPPED_LINKS_COUNT,
  SPAN_END_TIME_UNIX_NANO,
  SPAN_EVENTS,
  SPAN_EVENT_ATTRIBUTES,
  SPAN_EVENT_DROPPED_ATTRIBUTES_COUNT,
  SPAN_EVENT_NAME,
  SPAN_EVENT_TIME_UNIX_NANO,
  SPAN_FLAGS,
  SPAN_KIND,
  SPAN_LINKS,
  SPAN_LINK_ATTRIBUTES,
  SPAN_LINK_DROPPED_ATTRIBUTES_COUNT,
  SPAN_LINK_FLAGS,
  SPAN_NAME,
  SPAN_PARENT_SPAN_ID,
  SPAN_SPAN_ID,
  SPAN_START_TIME_UNIX_NANO,
  SPAN_STATUS,
  SPAN_TRACE_ID,
  SPAN_TRACE_STATE,
  STATUS_CODE,
  STATUS_MESSAGE,
} from './field-numbers.js';
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
    writer.tag(ANY_VALUE_STRING_VALUE, LEN);
    writer.string(value);
  } else if (typeof value === 'boolean') {
    writer.tag(ANY_VALUE_BOOL_VALUE, WIRE_VARINT);
    writer.varint(value ? 1 : 0);
  } else if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) {
      writer.tag(ANY_VALUE_INT_VALUE, WIRE_VARINT);
      writer.varint(value);
    } else {
      writer.tag(ANY_VALUE_DOUBLE_VALUE, WIRE_FIXED64);
      writer.double(value);
    }
  } else if (value instanceof Uint8Array) {
    writer.tag(ANY_VALUE_BYTES_VALUE, LEN);
    writer.bytes(value);
  } else if (Array.isArray(value)) {
    writer.tag(ANY_VALUE_ARRAY_VALUE, LEN);
    const array = writer.startMessage();
    for (const item of value as unknown[]) {
      writer.tag(ARRAY_VALUE_VALUES, LEN);
      const start = writer.startMessage();
      writeAnyValue(writer, item);
      writer.endMessage(start);
    }
    writer.endMessage(array);
  } else if (typeof value === 'object' && value !== null) {
    writer.tag(ANY_VALUE_KVLIST_VALUE, LEN);
    const list = writer.startMessage();
    writeAttributes(writer, value as Record<string, unknown>, KEY_VALUE_LIST_VALUES);
    writer.endMessage(list);
  }
}

/** Each own key as a KeyValue under `field`. */
function writeAttributes(writer: ProtoWriter, attributes: Attributes | Record<string, unknown>, field: number): void {
  for (const key in attributes) {
    if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
    writer.tag(field, LEN);
    const keyValue = writer.startMessage();
    writer.tag(KEY_VALUE_KEY, LEN);
    writer.string(key);
    writer.tag(KEY_VALUE_VALUE, LEN);
    const value = writer.startMessage();
    writeAnyValue(writer, attributes[key] as AttributeValue | undefined);
    writer.endMessage(value);
    writer.endMessage(keyValue);
  }
}

function writeEvent(writer: ProtoWriter, event: TimedEvent): void {
  writer.tag(SPAN_EVENTS, LEN);
  const start = writer.startMessage();
  writer.tag(SPAN_EVENT_TIME_UNIX_NANO, WIRE_FIXED64);
  writer.hrTime(event.time);
  writer.tag(SPAN_EVENT_NAME, LEN);
  writer.string(event.name);
  if (event.attributes) writeAttributes(writer, event.attributes, SPAN_EVENT_ATTRIBUTES);
  writer.tag(SPAN_EVENT_DROPPED_ATTRIBUTES_COUNT, WIRE_VARINT);
  writer.varint(event.droppedAttributesCount || 0);
  writer.endMessage(start);
}

/** trace_id, span_id and trace_state: fields 1 to 3 of both Span and Span.Link (SPAN_LINK_* are the same numbers). */
function writeIds(writer: ProtoWriter, context: SpanContext): void {
  writer.tag(SPAN_TRACE_ID, LEN);
  writer.hexBytes(context.traceId);
  writer.tag(SPAN_SPAN_ID, LEN);
  writer.hexBytes(context.spanId);
  const traceState = context.traceState?.serialize();
  if (traceState) {
    writer.tag(SPAN_TRACE_STATE, LEN);
    writer.string(traceState);
  }
}

function writeLink(writer: ProtoWriter, link: Link): void {
  const context: SpanContext = link.context;
  writer.tag(SPAN_LINKS, LEN);
  const start = writer.startMessage();
  writeIds(writer, context);
  if (link.attributes) writeAttributes(writer, link.attributes, SPAN_LINK_ATTRIBUTES);
  writer.tag(SPAN_LINK_DROPPED_ATTRIBUTES_COUNT, WIRE_VARINT);
  writer.varint(link.droppedAttributesCount || 0);
  writer.tag(SPAN_LINK_FLAGS, WIRE_FIXED32);
  writer.fixed32(spanFlags(context.traceFlags, context.isRemote));
  writer.endMessage(start);
}

/** The body of one `Span` message (without its own tag and length). */
export function writeSpan(writer: ProtoWriter, span: ReadableSpan): void {
  const context = span.spanContext();
  const parent = span.parentSpanContext;
  writeIds(writer, context);
  if (parent?.spanId) {
    writer.tag(SPAN_PARENT_SPAN_ID, LEN);
    writer.hexBytes(parent.spanId);
  }
  writer.tag(SPAN_NAME, LEN);
  writer.string(span.name);
  // The proto's SpanKind has UNSPECIFIED at 0, so the API's kinds are shifted by one.
  const kind = span.kind == null ? 0 : span.kind + 1;
  if (kind !== 0) {
    writer.tag(SPAN_KIND, WIRE_VARINT);
    writer.varint(kind);
  }
  writer.tag(SPAN_START_TIME_UNIX_NANO, WIRE_FIXED64);
  writer.hrTime(span.startTime);
  writer.tag(SPAN_END_TIME_UNIX_NANO, WIRE_FIXED64);
  writer.hrTime(span.endTime);
  writeAttributes(writer, span.attributes, SPAN_ATTRIBUTES);
  writer.tag(SPAN_DROPPED_ATTRIBUTES_COUNT, WIRE_VARINT);
  writer.varint(span.droppedAttributesCount);
  for (const event of span.events) writeEvent(writer, event);
  writer.tag(SPAN_DROPPED_EVENTS_COUNT, WIRE_VARINT);
  writer.varint(span.droppedEventsCount);
  for (const link of span.links) writeLink(writer, link);
  writer.tag(SPAN_DROPPED_LINKS_COUNT, WIRE_VARINT);
  writer.varint(span.droppedLinksCount);
  writer.tag(SPAN_STATUS, LEN);
  const status = writer.startMessage();
  if (span.status.message) {
    writer.tag(STATUS_MESSAGE, LEN);
    writer.string(span.status.message);
  }
  writer.tag(STATUS_CODE, WIRE_VARINT);
  writer.varint(span.status.code);
  writer.endMessage(status);
  writer.tag(SPAN_FLAGS, WIRE_FIXED32);
  writer.fixed32(spanFlags(context.traceFlags, parent?.isRemote));
}

/** Spans already encoded with writeSpan, grouped under their instrumentation scope. */
export interface EncodedScopeSpans {
  scope: InstrumentationScope;
  /** Each span as SCOPE_SPANS_SPANS of ScopeSpans: tag, length, body. */
  spans: ProtoWriter;
}

function writeScopeSpans(writer: ProtoWriter, { scope, spans }: EncodedScopeSpans): void {
  writer.tag(RESOURCE_SPANS_SCOPE_SPANS, LEN);
  const start = writer.startMessage();
  writer.tag(SCOPE_SPANS_SCOPE, LEN);
  const scopeStart = writer.startMessage();
  writer.tag(INSTRUMENTATION_SCOPE_NAME, LEN);
  writer.string(scope.name);
  if (scope.version) {
    writer.tag(INSTRUMENTATION_SCOPE_VERSION, LEN);
    writer.string(scope.version);
  }
  writer.endMessage(scopeStart);
  writer.raw(spans.buffer, 0, spans.pos);
  if (scope.schemaUrl) {
    writer.tag(SCOPE_SPANS_SCHEMA_URL, LEN);
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
    writer.tag(EXPORT_TRACE_SERVICE_REQUEST_RESOURCE_SPANS, LEN);
    const start = writer.startMessage();
    writer.tag(RESOURCE_SPANS_RESOURCE, LEN);
    const resourceStart = writer.startMessage();
    writeAttributes(writer, resource.attributes, RESOURCE_ATTRIBUTES);
    writer.tag(RESOURCE_DROPPED_ATTRIBUTES_COUNT, WIRE_VARINT);
    writer.varint(0);
    writer.endMessage(resourceStart);
    for (const scopeSpans of scopes) writeScopeSpans(writer, scopeSpans);
    if (resource.schemaUrl) {
      writer.tag(RESOURCE_SPANS_SCHEMA_URL, LEN);
      writer.string(resource.schemaUrl);
    }
    writer.endMessage(start);
  }
}
