// OTLP/JSON and OTLP/protobuf carry the same data in two spellings (hex vs bytes ids, numbers vs decimal
// strings for 64-bit ints, enum numbers vs names). Tests should not care which one went over the wire, so both
// are folded into one plain span shape here.

/** OTLP SpanKind numbers (note: the OTel API's SpanKind enum is these minus one). */
export const OTLP_SPAN_KIND = {
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;

export type SpanKindName = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';

const KIND_NAMES: readonly SpanKindName[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

/** OTLP status codes: 0 unset, 1 ok, 2 error (the same numbers as the OTel API's SpanStatusCode). */
export const OTLP_STATUS_CODE = { UNSET: 0, OK: 1, ERROR: 2 } as const;

export type AttributeValue =
  | string
  | number
  | bigint
  | boolean
  | Uint8Array
  | null
  | AttributeValue[]
  | { [key: string]: AttributeValue };

export type Attributes = Record<string, AttributeValue>;

export interface ReceivedEvent {
  name: string;
  timeUnixNano: bigint;
  attributes: Attributes;
}

export interface ReceivedLink {
  traceId: string;
  spanId: string;
  traceState?: string;
  flags?: number;
  attributes: Attributes;
}

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** Absent for root spans (empty bytes / empty string on the wire). */
  parentSpanId?: string;
  name: string;
  /** OTLP SpanKind number, see OTLP_SPAN_KIND. */
  kind: number;
  kindName: SpanKindName;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Attributes;
  events: ReceivedEvent[];
  links: ReceivedLink[];
  status: { code: number; message?: string };
  traceState?: string;
  /** Low 8 bits: W3C trace flags (1 = sampled); 0x100 has-is-remote, 0x200 parent is remote. */
  flags?: number;
  resource: Attributes;
  scope: { name: string; version?: string };
  /** Which encoding carried this span. */
  encoding: 'json' | 'protobuf';
}

type Loose = Record<string, unknown>;

function isRecord(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function list(value: unknown): Loose[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

/** Ids arrive as bytes (protobuf) or hex strings (OTLP/JSON). Empty means absent. */
function toHexId(value: unknown): string | undefined {
  if (value instanceof Uint8Array) {
    return value.length === 0 ? undefined : Buffer.from(value).toString('hex');
  }
  if (typeof value === 'string') {
    if (value === '') return undefined;
    if (/^[0-9a-f]+$/i.test(value) && (value.length === 32 || value.length === 16)) return value.toLowerCase();
    // Generic protobuf-JSON encoders (not OTLP/JSON-aware) write bytes as base64: 16 or 8 bytes -> 24 or 12 chars.
    const bytes = Buffer.from(value, 'base64');
    return bytes.length === 16 || bytes.length === 8 ? bytes.toString('hex') : value.toLowerCase();
  }
  return undefined;
}

/** 64-bit ints arrive as numbers, decimal strings, bigints or protobufjs Longs ({ low, high }). */
function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(Math.trunc(value));
  if (typeof value === 'string' && value !== '') return BigInt(value);
  if (isRecord(value) && typeof value['low'] === 'number' && typeof value['high'] === 'number') {
    const unsigned = value['unsigned'] === true;
    const high = unsigned ? BigInt.asUintN(32, BigInt(value['high'])) : BigInt(value['high']);
    return (high << 32n) | BigInt.asUintN(32, BigInt(value['low']));
  }
  return 0n;
}

function toInt(value: unknown): number | bigint {
  const big = toBigInt(value);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

function toNumber(value: unknown, names?: readonly string[]): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    // proto3 JSON allows enum names; match by suffix so SPAN_KIND_SERVER and STATUS_CODE_ERROR both resolve.
    const byName = names?.findIndex((name) => value.toLowerCase().endsWith(`_${name}`)) ?? -1;
    if (byName >= 0) return byName;
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : 0;
  }
  return 0;
}

/** Flattens an OTLP AnyValue to a JS value. */
export function flattenAnyValue(value: unknown): AttributeValue {
  if (!isRecord(value)) return null;
  if ('stringValue' in value) return String(value['stringValue']);
  if ('boolValue' in value) return Boolean(value['boolValue']);
  if ('intValue' in value) return toInt(value['intValue']);
  if ('doubleValue' in value) return Number(value['doubleValue']);
  if ('bytesValue' in value) {
    const bytes = value['bytesValue'];
    // OTLP/JSON carries bytes as base64.
    return bytes instanceof Uint8Array ? new Uint8Array(bytes) : new Uint8Array(Buffer.from(String(bytes), 'base64'));
  }
  if ('arrayValue' in value) {
    const array = value['arrayValue'];
    return isRecord(array) ? list(array['values']).map(flattenAnyValue) : [];
  }
  if ('kvlistValue' in value) {
    const kvlist = value['kvlistValue'];
    return isRecord(kvlist) ? flattenAttributes(kvlist['values']) : {};
  }
  return null;
}

/** Flattens a repeated KeyValue into a record. */
export function flattenAttributes(keyValues: unknown): Attributes {
  const out: Attributes = {};
  for (const kv of list(keyValues)) {
    if (typeof kv['key'] === 'string') out[kv['key']] = flattenAnyValue(kv['value']);
  }
  return out;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function normalizeSpan(
  span: Loose,
  resource: Attributes,
  scope: ReceivedSpan['scope'],
  encoding: ReceivedSpan['encoding'],
): ReceivedSpan {
  const kind = toNumber(span['kind'], KIND_NAMES);
  const status = isRecord(span['status']) ? span['status'] : {};
  const statusMessage = optionalString(status['message']);
  const out: ReceivedSpan = {
    traceId: toHexId(span['traceId']) ?? '',
    spanId: toHexId(span['spanId']) ?? '',
    name: typeof span['name'] === 'string' ? span['name'] : '',
    kind,
    kindName: KIND_NAMES[kind] ?? 'unspecified',
    startTimeUnixNano: toBigInt(span['startTimeUnixNano']),
    endTimeUnixNano: toBigInt(span['endTimeUnixNano']),
    attributes: flattenAttributes(span['attributes']),
    events: list(span['events']).map((event) => ({
      name: typeof event['name'] === 'string' ? event['name'] : '',
      timeUnixNano: toBigInt(event['timeUnixNano']),
      attributes: flattenAttributes(event['attributes']),
    })),
    links: list(span['links']).map((link) => {
      const received: ReceivedLink = {
        traceId: toHexId(link['traceId']) ?? '',
        spanId: toHexId(link['spanId']) ?? '',
        attributes: flattenAttributes(link['attributes']),
      };
      const traceState = optionalString(link['traceState']);
      if (traceState !== undefined) received.traceState = traceState;
      if (link['flags'] !== undefined) received.flags = toNumber(link['flags']);
      return received;
    }),
    status:
      statusMessage === undefined
        ? { code: toNumber(status['code'], ['unset', 'ok', 'error']) }
        : { code: toNumber(status['code'], ['unset', 'ok', 'error']), message: statusMessage },
    resource,
    scope,
    encoding,
  };
  const parentSpanId = toHexId(span['parentSpanId']);
  if (parentSpanId !== undefined) out.parentSpanId = parentSpanId;
  const traceState = optionalString(span['traceState']);
  if (traceState !== undefined) out.traceState = traceState;
  if (span['flags'] !== undefined) out.flags = toNumber(span['flags']);
  return out;
}

/**
 * Normalises a decoded ExportTraceServiceRequest (OTLP/JSON as parsed by JSON.parse, or protobuf as decoded
 * by `decodeTraceRequestProto`) into a flat list of spans carrying their resource and scope.
 */
export function normalizeExportRequest(request: unknown, encoding: ReceivedSpan['encoding']): ReceivedSpan[] {
  if (!isRecord(request)) return [];
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of list(request['resourceSpans'])) {
    const resourceObject = isRecord(resourceSpans['resource']) ? resourceSpans['resource'] : {};
    const resource = flattenAttributes(resourceObject['attributes']);
    for (const scopeSpans of list(resourceSpans['scopeSpans'])) {
      const scopeObject = isRecord(scopeSpans['scope']) ? scopeSpans['scope'] : {};
      const scope: ReceivedSpan['scope'] = { name: typeof scopeObject['name'] === 'string' ? scopeObject['name'] : '' };
      const version = optionalString(scopeObject['version']);
      if (version !== undefined) scope.version = version;
      for (const span of list(scopeSpans['spans'])) spans.push(normalizeSpan(span, resource, scope, encoding));
    }
  }
  return spans;
}

/** Span duration in milliseconds (float), for readable assertions and logs. */
export function spanDurationMs(span: Pick<ReceivedSpan, 'startTimeUnixNano' | 'endTimeUnixNano'>): number {
  return Number(span.endTimeUnixNano - span.startTimeUnixNano) / 1e6;
}

const SEVERITY_NAMES: readonly string[] = [
  'unspecified',
  ...['trace', 'debug', 'info', 'warn', 'error', 'fatal'].flatMap((name) => [name, `${name}2`, `${name}3`, `${name}4`]),
];

/** A log record as a receiver got it, whatever the encoding (ids in hex, times as bigint nanoseconds). */
export interface ReceivedLogRecord {
  /** Absent when the record was emitted outside any span. */
  traceId?: string;
  spanId?: string;
  /** Low 8 bits: W3C trace flags (1 = sampled). */
  flags: number;
  timeUnixNano: bigint;
  observedTimeUnixNano: bigint;
  severityNumber: number;
  severityText?: string;
  /** The body flattened like an attribute value (strings stay strings). */
  body: AttributeValue;
  eventName?: string;
  attributes: Attributes;
  resource: Attributes;
  scope: { name: string; version?: string };
  encoding: 'json' | 'protobuf';
}

/** Normalises a decoded ExportLogsServiceRequest (OTLP/JSON or protobuf) into a flat list of records. */
export function normalizeLogsExportRequest(
  request: unknown,
  encoding: ReceivedLogRecord['encoding'],
): ReceivedLogRecord[] {
  if (!isRecord(request)) return [];
  const records: ReceivedLogRecord[] = [];
  for (const resourceLogs of list(request['resourceLogs'])) {
    const resourceObject = isRecord(resourceLogs['resource']) ? resourceLogs['resource'] : {};
    const resource = flattenAttributes(resourceObject['attributes']);
    for (const scopeLogs of list(resourceLogs['scopeLogs'])) {
      const scopeObject = isRecord(scopeLogs['scope']) ? scopeLogs['scope'] : {};
      const scope: ReceivedLogRecord['scope'] = {
        name: typeof scopeObject['name'] === 'string' ? scopeObject['name'] : '',
      };
      const version = optionalString(scopeObject['version']);
      if (version !== undefined) scope.version = version;
      for (const log of list(scopeLogs['logRecords'])) {
        const out: ReceivedLogRecord = {
          flags: toNumber(log['flags']),
          timeUnixNano: toBigInt(log['timeUnixNano']),
          observedTimeUnixNano: toBigInt(log['observedTimeUnixNano']),
          severityNumber: toNumber(log['severityNumber'], SEVERITY_NAMES),
          body: flattenAnyValue(log['body']),
          attributes: flattenAttributes(log['attributes']),
          resource,
          scope,
          encoding,
        };
        const traceId = toHexId(log['traceId']);
        if (traceId !== undefined) out.traceId = traceId;
        const spanId = toHexId(log['spanId']);
        if (spanId !== undefined) out.spanId = spanId;
        const severityText = optionalString(log['severityText']);
        if (severityText !== undefined) out.severityText = severityText;
        const eventName = optionalString(log['eventName']);
        if (eventName !== undefined) out.eventName = eventName;
        records.push(out);
      }
    }
  }
  return records;
}
