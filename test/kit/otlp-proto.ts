import { fileURLToPath } from 'node:url';
import path from 'node:path';
import protobuf from 'protobufjs';

// One copy of the OTLP .proto files lives next to this module; both the HTTP receivers and the gRPC server
// decode with it, so the wire format is checked against the same definitions everywhere.
const PROTO_ROOT = fileURLToPath(new URL('./proto/', import.meta.url));
const SERVICE_PROTOS = [
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  'opentelemetry/proto/collector/logs/v1/logs_service.proto',
];

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  // Imports inside the .proto files are written relative to the proto root, as in opentelemetry-proto.
  root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(PROTO_ROOT, target));
  root.loadSync(SERVICE_PROTOS, { keepCase: false });
  root.resolveAll();
  return root;
}

interface ProtoTypes {
  request: protobuf.Type;
  response: protobuf.Type;
  logsRequest: protobuf.Type;
  logsResponse: protobuf.Type;
}

let cached: ProtoTypes | undefined;

function types(): ProtoTypes {
  if (!cached) {
    const root = loadRoot();
    cached = {
      request: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
      response: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse'),
      logsRequest: root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest'),
      logsResponse: root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse'),
    };
  }
  return cached;
}

/** Absolute path of the directory holding the OTLP .proto files (for @grpc/proto-loader or protoc users). */
export const otlpProtoDir: string = PROTO_ROOT;

/**
 * Decodes a protobuf ExportTraceServiceRequest into a plain object in OTLP/JSON field naming (camelCase),
 * with ids as bytes and 64-bit integers as decimal strings: the shape `normalizeExportRequest` reads.
 */
export function decodeTraceRequestProto(body: Uint8Array): Record<string, unknown> {
  const { request } = types();
  const message = request.decode(body);
  return request.toObject(message, { longs: String, enums: Number, bytes: Buffer, defaults: false, oneofs: false });
}

/** Encodes an ExportTraceServiceRequest from an OTLP/JSON-shaped object (used by tests to forge requests). */
export function encodeTraceRequestProto(request: Record<string, unknown>): Uint8Array {
  const type = types().request;
  return type.encode(type.fromObject(request)).finish();
}

/** An ExportTraceServiceResponse, empty (full success) or carrying a partial-success rejection count. */
export function encodeTraceResponseProto(partial?: { rejectedSpans: number; errorMessage: string }): Uint8Array {
  const { response } = types();
  return response.encode(response.fromObject(partial ? { partialSuccess: partial } : {})).finish();
}

/** Decodes an ExportTraceServiceResponse (for tests that act as the client). */
export function decodeTraceResponseProto(body: Uint8Array): Record<string, unknown> {
  const { response } = types();
  return response.toObject(response.decode(body), { longs: Number, defaults: false });
}

/** Decodes a protobuf ExportLogsServiceRequest into the OTLP/JSON-shaped object `normalizeLogsExportRequest` reads. */
export function decodeLogsRequestProto(body: Uint8Array): Record<string, unknown> {
  const { logsRequest } = types();
  return logsRequest.toObject(logsRequest.decode(body), {
    longs: String,
    enums: Number,
    bytes: Buffer,
    defaults: false,
    oneofs: false,
  });
}

/** Encodes an ExportLogsServiceRequest from an OTLP/JSON-shaped object (used by tests to forge requests). */
export function encodeLogsRequestProto(request: Record<string, unknown>): Uint8Array {
  const { logsRequest } = types();
  return logsRequest.encode(logsRequest.fromObject(request)).finish();
}

/** An empty ExportLogsServiceResponse (full success). */
export function encodeLogsResponseProto(): Uint8Array {
  const { logsResponse } = types();
  return logsResponse.encode(logsResponse.fromObject({})).finish();
}
