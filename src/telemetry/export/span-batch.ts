/**
 * What an ExportPipeline fills and hands to its exporter. A batch takes each span as it ends; how it keeps it is
 * the exporter's business: OTLP/protobuf batches hold the span only until the end of the event-loop turn and
 * then its encoding (export/otlp/batch.ts), so the span object dies young; other exporters keep the spans (ItemList).
 */
import type { ExportResult } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

export interface ExportBatch<T> {
  /** Items added so far. */
  readonly size: number;
  /** The first item's resource: its async attributes must settle before the batch is serialised. */
  readonly resource: Resource | undefined;
  /** Items added but left out of the request (they could not be encoded), known once it is serialised. */
  readonly lost: number;
  readonly lostReason?: string | undefined;
  add(item: T): void;
}

export type SpanBatch = ExportBatch<ReadableSpan>;

export interface BatchExporter<B extends ExportBatch<never> = SpanBatch> {
  newBatch(): B;
  export(batch: B, done: (result: ExportResult) => void): void;
  /** Sends what the exporter holds itself, when it holds any (the console tree waits for late spans). */
  forceFlush?(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The items themselves, for exporters that take an array: spans for gRPC, http/json and the console tree, log
 * records for every logs exporter (they are small and short-lived next to spans).
 */
export class ItemList<T extends { readonly resource: Resource }> implements ExportBatch<T> {
  readonly items: T[] = [];
  readonly lost = 0;

  get size(): number {
    return this.items.length;
  }

  get resource(): Resource | undefined {
    return this.items[0]?.resource;
  }

  add(item: T): void {
    this.items.push(item);
  }
}

export function spanListExporter(exporter: SpanExporter): BatchExporter<ItemList<ReadableSpan>> {
  return {
    newBatch: () => new ItemList<ReadableSpan>(),
    export: (batch, done) => exporter.export(batch.items, done),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
    shutdown: () => exporter.shutdown(),
  };
}
