import {
  decodeLogsRequestProto,
  decodeTraceRequestProto,
  encodeLogsResponseProto,
  encodeTraceResponseProto,
} from './otlp-proto.js';
import {
  normalizeExportRequest,
  normalizeLogsExportRequest,
  type ReceivedLogRecord,
  type ReceivedSpan,
} from './otlp-normalize.js';

export type OtlpHttpEncoding = 'json' | 'protobuf';

/** Which OTLP/HTTP encoding a media type names, or undefined when it is neither. */
export function otlpEncodingOf(media: string): OtlpHttpEncoding | undefined {
  if (media === 'application/x-protobuf' || media === 'application/protobuf') return 'protobuf';
  if (media === 'application/json') return 'json';
  return undefined;
}

/** Decodes an OTLP/HTTP traces body (already decompressed) into normalised spans; throws on malformed input. */
export function decodeOtlpTracesBody(body: Buffer, encoding: OtlpHttpEncoding): ReceivedSpan[] {
  if (encoding === 'json') {
    return normalizeExportRequest(JSON.parse(body.toString('utf8')) as unknown, 'json');
  }
  return normalizeExportRequest(decodeTraceRequestProto(body), 'protobuf');
}

/** The success response of OTLP/HTTP: an empty ExportTraceServiceResponse in the request's encoding. */
export function otlpSuccessResponse(encoding: OtlpHttpEncoding): { contentType: string; body: Uint8Array | string } {
  return encoding === 'json'
    ? { contentType: 'application/json', body: '{}' }
    : { contentType: 'application/x-protobuf', body: encodeTraceResponseProto() };
}

/** Decodes an OTLP/HTTP logs body (already decompressed) into normalised log records; throws on malformed input. */
export function decodeOtlpLogsBody(body: Buffer, encoding: OtlpHttpEncoding): ReceivedLogRecord[] {
  if (encoding === 'json') {
    return normalizeLogsExportRequest(JSON.parse(body.toString('utf8')) as unknown, 'json');
  }
  return normalizeLogsExportRequest(decodeLogsRequestProto(body), 'protobuf');
}

/** The success response of OTLP/HTTP logs: an empty ExportLogsServiceResponse in the request's encoding. */
export function otlpLogsSuccessResponse(encoding: OtlpHttpEncoding): {
  contentType: string;
  body: Uint8Array | string;
} {
  return encoding === 'json'
    ? { contentType: 'application/json', body: '{}' }
    : { contentType: 'application/x-protobuf', body: encodeLogsResponseProto() };
}
