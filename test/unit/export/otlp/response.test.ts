// The protobuf exporter's response decoder against the stock serializer's, on the bytes a collector answers.
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { describe, expect, it } from 'vitest';
import { decodeTraceExportResponse } from '../../../../src/telemetry/export/otlp/response.js';

const text = (s: string): number[] => [...new TextEncoder().encode(s)];

describe('decodeTraceExportResponse', () => {
  it('reads partial_success as the stock serializer does, and an empty body as no partial success', () => {
    const partial = Uint8Array.from([0x0a, 3 + 2 + 5, 0x08, 0x96, 0x01, 0x12, 5, ...text('quota')]);
    expect(decodeTraceExportResponse(partial)).toEqual({
      partialSuccess: { rejectedSpans: 150, errorMessage: 'quota' },
    });
    expect(Number(ProtobufTraceSerializer.deserializeResponse(partial).partialSuccess?.rejectedSpans)).toBe(150);
    expect(decodeTraceExportResponse(new Uint8Array(0))).toEqual({});
  });

  it('skips fields it does not know, of every wire type', () => {
    const bytes = Uint8Array.from([
      0x10, 0x05, 0x19, 1, 2, 3, 4, 5, 6, 7, 8, 0x25, 1, 2, 3, 4, 0x2a, 1, 0x00, 0x0a, 2, 0x08, 0x01,
    ]);
    expect(decodeTraceExportResponse(bytes)).toEqual({ partialSuccess: { rejectedSpans: 1 } });
  });

  it('throws on truncated bytes, which the exporter base reports as a warning', () => {
    expect(() => decodeTraceExportResponse(Uint8Array.from([0x0a, 10, 0x08]))).toThrow(RangeError);
    expect(() => decodeTraceExportResponse(Uint8Array.from([0x08, 0x80]))).toThrow(RangeError);
  });
});
