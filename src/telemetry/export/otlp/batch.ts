/**
 * Batches for the OTLP/protobuf exporters (Sentry's endpoint and http/protobuf collectors) that hold encoded
 * bytes, not span objects. A span waiting whole in a batch of 1,024 outlived two young-generation collections,
 * and V8 then allocated every span in old space: garbage collection was a large part of the layer's cost per
 * span (docs/architecture.md, "pitfalls"). Encoding at the end lets the span die young; the request is assembled
 * when the batch leaves.
 */
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { createOtlpHttpExporterMetrics, createOtlpNetworkExportDelegate, OTLPExporterBase } from './exporter-base.js';
import { SCOPE_SPANS_SPANS } from './field-numbers.js';
import { createOtlpHttpTransport, type HttpExportOptions } from './http-transport.js';
import { decodeTraceExportResponse } from './response.js';
import { writeSpan, writeTraceRequest, type EncodedScopeSpans } from './span-encoder.js';
import { ProtoWriter, WIRE_LENGTH_DELIMITED } from './proto-writer.js';
import type { SpanRedactor } from '../../redaction/redacting-exporter.js';
import type { BatchExporter, SpanBatch } from '../span-batch.js';

/**
 * Encodes ended spans, scrubbed, at the end of the event-loop turn they ended in: `span.end()` stays as cheap
 * as the stock processor's, and the span still dies young. Every OTLP pipeline's batch queues the span here, in
 * the order the pipelines receive it, so one encoding serves them all.
 */
export class SpanEncoder {
  private readonly scratch = new ProtoWriter(4096);
  private last: ReadableSpan | undefined;
  // The same two arrays every turn, their entries cleared as they are encoded (so the spans still die young):
  // two new arrays per event-loop turn, grown span by span, were most of what a span's end allocated.
  private readonly spans: (ReadableSpan | undefined)[] = [];
  private readonly batches: (OtlpSpanBatch | undefined)[] = [];
  private queued = 0;
  private immediate: NodeJS.Immediate | undefined;

  constructor(private readonly redact: SpanRedactor) {}

  enqueue(span: ReadableSpan, batch: OtlpSpanBatch): void {
    this.spans[this.queued] = span;
    this.batches[this.queued] = batch;
    this.queued++;
    this.immediate ??= setImmediate(this.flush);
  }

  /** Encodes every queued span into its batch now (a batch about to leave calls it). */
  readonly flush = (): void => {
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = undefined;
    const { spans, batches } = this;
    // `this.queued`, not a copy: a span queued meanwhile is encoded in this pass.
    let index = 0;
    try {
      for (; index < this.queued; index++) {
        const span = spans[index];
        const batch = batches[index];
        if (span === undefined || batch === undefined) continue;
        spans[index] = undefined;
        batches[index] = undefined;
        let encoded: ProtoWriter;
        try {
          encoded = this.encode(span);
        } catch (error) {
          batch.lose(error);
          continue;
        }
        batch.append(span, encoded);
      }
    } finally {
      // What a throw left is not kept alive (nor encoded twice), as when each turn had arrays of its own.
      for (; index < this.queued; index++) spans[index] = batches[index] = undefined;
      this.queued = 0;
    }
    this.last = undefined;
  };

  /** The span's `Span` message body, valid until the next call; consecutive calls for one span encode once. */
  private encode(span: ReadableSpan): ProtoWriter {
    if (span !== this.last) {
      this.last = undefined;
      this.scratch.reset();
      writeSpan(this.scratch, this.redact(span));
      this.last = span;
    }
    return this.scratch;
  }
}

export class OtlpSpanBatch implements SpanBatch {
  size = 0;
  lost = 0;
  lostReason: string | undefined;
  resource: Resource | undefined;
  private readonly groups = new Map<Resource, Map<InstrumentationScope, EncodedScopeSpans>>();
  // Consecutive spans nearly always share resource and scope: skip the two map lookups for them.
  private lastResource: Resource | undefined;
  private lastScope: InstrumentationScope | undefined;
  private lastGroup: EncodedScopeSpans | undefined;

  constructor(private readonly encoder: SpanEncoder) {}

  add(span: ReadableSpan): void {
    this.size++;
    this.resource ??= span.resource;
    this.encoder.enqueue(span, this);
  }

  /** Called by the encoder with the span's encoded body. */
  append(span: ReadableSpan, encoded: ProtoWriter): void {
    const spans = this.groupOf(span).spans;
    spans.tag(SCOPE_SPANS_SPANS, WIRE_LENGTH_DELIMITED);
    spans.varint(encoded.pos);
    spans.raw(encoded.buffer, 0, encoded.pos);
  }

  /** Called by the encoder for a span it could not encode: the pipeline counts it as dropped. */
  lose(error: unknown): void {
    this.lost++;
    this.lostReason = `a span could not be encoded: ${error instanceof Error ? error.message : String(error)}`;
  }

  private groupOf(span: ReadableSpan): EncodedScopeSpans {
    const { resource, instrumentationScope: scope } = span;
    if (scope === this.lastScope && resource === this.lastResource && this.lastGroup) return this.lastGroup;
    let scopes = this.groups.get(resource);
    if (!scopes) {
      scopes = new Map();
      this.groups.set(resource, scopes);
    }
    let group = scopes.get(scope);
    if (!group) {
      group = { scope, spans: new ProtoWriter(16 * 1024) };
      scopes.set(scope, group);
    }
    this.lastResource = resource;
    this.lastScope = scope;
    this.lastGroup = group;
    return group;
  }

  /** The ExportTraceServiceRequest of every span added, as the stock ProtobufTraceSerializer writes it. */
  toRequest(): Uint8Array {
    this.encoder.flush();
    let bytes = 1024;
    for (const scopes of this.groups.values()) for (const group of scopes.values()) bytes += group.spans.pos + 256;
    const writer = new ProtoWriter(bytes);
    writeTraceRequest(
      writer,
      [...this.groups].map(([resource, scopes]) => [resource, scopes.values()]),
    );
    return writer.finish();
  }
}

/**
 * OTLP over HTTP with protobuf bodies, sending OtlpSpanBatches through the layer's transport (retries, gzip, and
 * failures that keep their HTTP status, Retry-After and network error: otlp-http-transport.ts).
 */
export function otlpBatchExporter(options: HttpExportOptions, encoder: SpanEncoder): BatchExporter<OtlpSpanBatch> {
  const metrics = createOtlpHttpExporterMetrics<OtlpSpanBatch>(
    'otlp_http_span_exporter',
    { name: 'span', countItems: (batch) => batch.size },
    options.url,
    undefined,
  );
  const base = new OTLPExporterBase<OtlpSpanBatch>(
    createOtlpNetworkExportDelegate(
      options,
      { serializeRequest: (batch) => batch.toRequest(), deserializeResponse: decodeTraceExportResponse },
      metrics,
      createOtlpHttpTransport(options),
    ),
  );
  return {
    newBatch: () => new OtlpSpanBatch(encoder),
    export: (batch, done) => base.export(batch, done),
    shutdown: () => base.shutdown(),
  };
}
