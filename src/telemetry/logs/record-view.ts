/**
 * What leaves the process for one log record: a read-only view with the body and attributes scrubbed by the
 * layer's rules (redaction.ts), a large body capped, and the request's user and tenant added. Made once per record,
 * whichever backends receive it; the SDK's record stays as the app wrote it.
 */
import type { Attributes } from '@opentelemetry/api';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { Redactor } from '../redaction/redactor.js';

/** Characters of a body kept; beyond it the body is cut and says by how much. */
export const MAX_BODY_CHARS = 16_384;

type Body = ReadableLogRecord['body'];
type LogAttributes = ReadableLogRecord['attributes'];

function truncated(text: string): string {
  return `${text.slice(0, MAX_BODY_CHARS)}...[truncated ${text.length - MAX_BODY_CHARS} characters]`;
}

/** Objects and arrays (not bytes): the values only the event rules walk into. */
function isPlainData(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !(value instanceof Uint8Array);
}

/** A scrubbed, capped body. Structured bodies stay structured unless their JSON is over the cap. */
export function scrubBody(body: Body, redactor: Redactor): Body {
  if (typeof body === 'string') return redactor.scrubString(body.length > MAX_BODY_CHARS ? truncated(body) : body);
  if (!isPlainData(body)) return body;
  const clean = redactor.scrubValue(body);
  let json: string | undefined;
  try {
    json = JSON.stringify(clean);
  } catch {
    json = undefined;
  }
  if (json === undefined) return '[unserialisable body]';
  return (json.length > MAX_BODY_CHARS ? truncated(json) : clean) as Body;
}

/**
 * Scrubbed attributes: the span rules (redaction.ts) for every value, then the event rules for the structured
 * values those leave as they are (objects, arrays of objects), which log records carry and spans cannot. Copy on
 * write: most records carry nothing to scrub.
 */
export function scrubLogAttributes(attributes: LogAttributes, redactor: Redactor): LogAttributes {
  const flat = redactor.scrubAttributes(attributes as Attributes) as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const key in flat) {
    if (!Object.hasOwn(flat, key)) continue;
    const value = flat[key];
    if (!isPlainData(value) || (Array.isArray(value) && !value.some(isPlainData))) continue;
    const clean = redactor.scrubValue(value, key);
    if (clean !== value) (out ??= { ...flat })[key] = clean;
  }
  return (out ?? flat) as LogAttributes;
}

/** The record as every backend receives it. */
export function recordView(
  record: ReadableLogRecord,
  redactor: Redactor,
  added: Attributes | undefined,
): ReadableLogRecord {
  let attributes = scrubLogAttributes(record.attributes, redactor);
  if (added !== undefined) {
    // The record's own attributes win: an app that logs a user.id knows which one it means.
    attributes = { ...(added as LogAttributes), ...attributes };
  }
  const view: ReadableLogRecord = {
    hrTime: record.hrTime,
    hrTimeObserved: record.hrTimeObserved,
    resource: record.resource,
    instrumentationScope: record.instrumentationScope,
    attributes,
    droppedAttributesCount: record.droppedAttributesCount,
    ...(record.spanContext !== undefined ? { spanContext: record.spanContext } : {}),
    ...(record.severityText !== undefined ? { severityText: record.severityText } : {}),
    ...(record.severityNumber !== undefined ? { severityNumber: record.severityNumber } : {}),
    ...(record.body !== undefined ? { body: scrubBody(record.body, redactor) } : {}),
    ...(record.eventName !== undefined ? { eventName: record.eventName } : {}),
  };
  return view;
}
