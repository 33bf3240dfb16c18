/**
 * The OTLP protobuf field numbers the encoder writes, named `<MESSAGE>_<FIELD>` after opentelemetry-proto's
 * `trace/v1`, `common/v1`, `resource/v1` and `collector/trace/v1` (nested messages joined: `SPAN_EVENT_NAME` is
 * `Span.Event.name`). test/unit/export/otlp/field-numbers.test.ts reads each one back from the .proto files.
 */

// collector/trace/v1: ExportTraceServiceRequest, and the response the exporter reads.
export const EXPORT_TRACE_SERVICE_REQUEST_RESOURCE_SPANS = 1;
export const EXPORT_TRACE_SERVICE_RESPONSE_PARTIAL_SUCCESS = 1;
export const EXPORT_TRACE_PARTIAL_SUCCESS_REJECTED_SPANS = 1;
export const EXPORT_TRACE_PARTIAL_SUCCESS_ERROR_MESSAGE = 2;

// trace/v1
export const RESOURCE_SPANS_RESOURCE = 1;
export const RESOURCE_SPANS_SCOPE_SPANS = 2;
export const RESOURCE_SPANS_SCHEMA_URL = 3;
export const SCOPE_SPANS_SCOPE = 1;
export const SCOPE_SPANS_SPANS = 2;
export const SCOPE_SPANS_SCHEMA_URL = 3;

export const SPAN_TRACE_ID = 1;
export const SPAN_SPAN_ID = 2;
export const SPAN_TRACE_STATE = 3;
export const SPAN_PARENT_SPAN_ID = 4;
export const SPAN_NAME = 5;
export const SPAN_KIND = 6;
export const SPAN_START_TIME_UNIX_NANO = 7;
export const SPAN_END_TIME_UNIX_NANO = 8;
export const SPAN_ATTRIBUTES = 9;
export const SPAN_DROPPED_ATTRIBUTES_COUNT = 10;
export const SPAN_EVENTS = 11;
export const SPAN_DROPPED_EVENTS_COUNT = 12;
export const SPAN_LINKS = 13;
export const SPAN_DROPPED_LINKS_COUNT = 14;
export const SPAN_STATUS = 15;
export const SPAN_FLAGS = 16;

export const SPAN_EVENT_TIME_UNIX_NANO = 1;
export const SPAN_EVENT_NAME = 2;
export const SPAN_EVENT_ATTRIBUTES = 3;
export const SPAN_EVENT_DROPPED_ATTRIBUTES_COUNT = 4;

export const SPAN_LINK_TRACE_ID = 1;
export const SPAN_LINK_SPAN_ID = 2;
export const SPAN_LINK_TRACE_STATE = 3;
export const SPAN_LINK_ATTRIBUTES = 4;
export const SPAN_LINK_DROPPED_ATTRIBUTES_COUNT = 5;
export const SPAN_LINK_FLAGS = 6;

export const STATUS_MESSAGE = 2;
export const STATUS_CODE = 3;

// resource/v1
export const RESOURCE_ATTRIBUTES = 1;
export const RESOURCE_DROPPED_ATTRIBUTES_COUNT = 2;

// common/v1
export const INSTRUMENTATION_SCOPE_NAME = 1;
export const INSTRUMENTATION_SCOPE_VERSION = 2;
export const ANY_VALUE_STRING_VALUE = 1;
export const ANY_VALUE_BOOL_VALUE = 2;
export const ANY_VALUE_INT_VALUE = 3;
export const ANY_VALUE_DOUBLE_VALUE = 4;
export const ANY_VALUE_ARRAY_VALUE = 5;
export const ANY_VALUE_KVLIST_VALUE = 6;
export const ANY_VALUE_BYTES_VALUE = 7;
export const ARRAY_VALUE_VALUES = 1;
export const KEY_VALUE_LIST_VALUES = 1;
export const KEY_VALUE_KEY = 1;
export const KEY_VALUE_VALUE = 2;
