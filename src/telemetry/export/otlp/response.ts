/**
 * The ExportTraceServiceResponse decoder of the protobuf exporter: only `partial_success` (rejected span count and
 * message) is read, which is all the OTLP exporter base does with a response (it warns on a partial success).
 * Written here because the stock serializer is reachable only through otlp-transformer's index, which loads the
 * metrics SDK, or a deep import that the 3.x line removed.
 */

import {
  EXPORT_TRACE_PARTIAL_SUCCESS_ERROR_MESSAGE,
  EXPORT_TRACE_PARTIAL_SUCCESS_REJECTED_SPANS,
  EXPORT_TRACE_SERVICE_RESPONSE_PARTIAL_SUCCESS,
} from './field-numbers.js';

export interface TraceExportResponse {
  partialSuccess?: { rejectedSpans?: number; errorMessage?: string };
}

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

class Reader {
  pos = 0;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly end = bytes.length,
  ) {}

  done(): boolean {
    return this.pos >= this.end;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.pos >= this.end) throw new RangeError('truncated varint');
      const byte = this.bytes[this.pos++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    throw new RangeError('varint too long');
  }

  /** The end offset of a length-delimited field starting here. */
  length(): number {
    const size = this.varint();
    const end = this.pos + size;
    if (end > this.end) throw new RangeError('truncated field');
    return end;
  }

  skip(wire: number): void {
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_I64) this.pos += 8;
    else if (wire === WIRE_I32) this.pos += 4;
    else if (wire === WIRE_LEN) this.pos = this.length();
    else throw new RangeError(`unsupported wire type ${wire}`);
  }
}

function readPartialSuccess(
  bytes: Uint8Array,
  start: number,
  end: number,
): NonNullable<TraceExportResponse['partialSuccess']> {
  const reader = new Reader(bytes, end);
  reader.pos = start;
  const result: NonNullable<TraceExportResponse['partialSuccess']> = {};
  while (!reader.done()) {
    const key = reader.varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (field === EXPORT_TRACE_PARTIAL_SUCCESS_REJECTED_SPANS && wire === WIRE_VARINT)
      result.rejectedSpans = reader.varint();
    else if (field === EXPORT_TRACE_PARTIAL_SUCCESS_ERROR_MESSAGE && wire === WIRE_LEN) {
      const stop = reader.length();
      result.errorMessage = new TextDecoder().decode(bytes.subarray(reader.pos, stop));
      reader.pos = stop;
    } else reader.skip(wire);
  }
  return result;
}

/** Decodes a response body; throws on malformed bytes (the exporter base then warns and keeps the success). */
export function decodeTraceExportResponse(bytes: Uint8Array): TraceExportResponse {
  const reader = new Reader(bytes);
  const response: TraceExportResponse = {};
  while (!reader.done()) {
    const key = reader.varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (field === EXPORT_TRACE_SERVICE_RESPONSE_PARTIAL_SUCCESS && wire === WIRE_LEN) {
      const end = reader.length();
      response.partialSuccess = readPartialSuccess(bytes, reader.pos, end);
      reader.pos = end;
    } else reader.skip(wire);
  }
  return response;
}
