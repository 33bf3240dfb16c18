/**
 * Captured errors and messages on spans: what the monitoring API sends to Sentry is also recorded on the active
 * span, as OpenTelemetry's `exception` event (or a `message` event) carrying the Sentry event id.
 */
import { SpanStatusCode, type Attributes, type Span as ApiSpan } from '@opentelemetry/api';
import { ATTR_EXCEPTION_MESSAGE, ATTR_EXCEPTION_STACKTRACE, ATTR_EXCEPTION_TYPE } from '../common/semconv.js';
import type { SentryLevel } from '../common/types.js';
import type { Redactor } from '../redaction/redactor.js';
import { getRuntimeConfig } from '../common/runtime.js';
import { ATTR_SENTRY_EVENT_ID, ATTR_SENTRY_LEVEL, TAG_CLASH_PREFIX } from '../common/sentry-attributes.js';
import { DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT } from '../config/index.js';
import { toAttributeValue } from './attribute-values.js';

/** The limit the config parsed (the SDK cuts span attributes at the same length); the default before start(). */
function attributeLengthLimit(): number {
  return getRuntimeConfig()?.attributeValueLengthLimit ?? DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT;
}

/** `extra` as `extra.<key>` attributes: strings, numbers and booleans as they are, anything else as JSON. */
export function extraAttributes(extra: Record<string, unknown> | undefined, redactor: Redactor): Attributes {
  const attributes: Attributes = {};
  if (extra === undefined) return attributes;
  const limit = attributeLengthLimit();
  for (const [key, raw] of Object.entries(extra)) {
    const value = redactor.scrubValue(raw, key);
    if (value === undefined) continue;
    if (typeof value === 'number' || typeof value === 'boolean') {
      attributes[`extra.${key}`] = value;
      continue;
    }
    let text: string;
    try {
      text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
    } catch {
      // A cycle or a BigInt: no JSON form, so the value's own string form (a throw from that reaches safely()).
      text = String(value);
    }
    attributes[`extra.${key}`] = text.length > limit ? text.slice(0, limit) : text;
  }
  return attributes;
}

function tagAttributes(tags: Record<string, unknown> | undefined): Attributes {
  const attributes: Attributes = {};
  for (const [key, value] of Object.entries(tags ?? {})) {
    const attr = toAttributeValue(value);
    if (attr !== undefined) attributes[`${TAG_CLASH_PREFIX}${key}`] = attr;
  }
  return attributes;
}

export interface CapturedOnSpan {
  level: SentryLevel;
  eventId: string;
  tags?: Record<string, unknown>;
  extra?: Record<string, unknown>;
}

function errorParts(error: unknown): { type: string; message: string; stack?: string } {
  if (error instanceof Error)
    return { type: error.name, message: error.message, ...(error.stack !== undefined ? { stack: error.stack } : {}) };
  return {
    type: typeof error,
    message: typeof error === 'string' ? error : (toAttributeValue(error)?.toString() ?? String(error)),
  };
}

/** The exception event (OTel's `exception` convention plus the Sentry event id); ERROR status for error/fatal. */
export function recordCapturedException(
  span: ApiSpan,
  error: unknown,
  captured: CapturedOnSpan,
  redactor: Redactor,
): void {
  if (!span.isRecording()) return;
  const { type, message, stack } = errorParts(error);
  span.addEvent('exception', {
    [ATTR_EXCEPTION_TYPE]: type,
    [ATTR_EXCEPTION_MESSAGE]: redactor.scrubString(message),
    ...(stack !== undefined ? { [ATTR_EXCEPTION_STACKTRACE]: redactor.scrubString(stack) } : {}),
    [ATTR_SENTRY_LEVEL]: captured.level,
    [ATTR_SENTRY_EVENT_ID]: captured.eventId,
    ...tagAttributes(captured.tags),
    ...extraAttributes(captured.extra, redactor),
  });
  if (captured.level === 'error' || captured.level === 'fatal') {
    span.setStatus({ code: SpanStatusCode.ERROR, message: redactor.scrubString(message) });
  }
}

export function recordCapturedMessage(
  span: ApiSpan,
  message: string,
  captured: CapturedOnSpan,
  redactor: Redactor,
): void {
  if (!span.isRecording()) return;
  span.addEvent('message', {
    message: redactor.scrubString(message),
    [ATTR_SENTRY_LEVEL]: captured.level,
    [ATTR_SENTRY_EVENT_ID]: captured.eventId,
    ...tagAttributes(captured.tags),
    ...extraAttributes(captured.extra, redactor),
  });
}
