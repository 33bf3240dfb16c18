import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { BasicTracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { ExportPipeline, SpanFailureReporter } from '../../../src/telemetry/export/pipeline.js';
import { FailureReporter } from '../../../src/telemetry/common/failure-reporter.js';
import { spanListExporter } from '../../../src/telemetry/export/span-batch.js';

/** Records what it was asked to export, and answers each batch on the next turn, as a network exporter does. */
class RecordingExporter implements SpanExporter {
  readonly batches: string[][] = [];
  constructor(private readonly code: ExportResultCode = ExportResultCode.SUCCESS) {}
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.batches.push(spans.map((span) => span.name));
    setImmediate(() => done({ code: this.code }));
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const batch = { maxQueueSize: 4, maxExportBatchSize: 2, scheduledDelayMillis: 60_000, exportTimeoutMillis: 1000 };

function setup(exporter: SpanExporter, warnings: string[] = []) {
  // The reporter writes to stderr by default; the test reads what it would have said.
  const reporter = new SpanFailureReporter(
    'test',
    'http://collector.test/v1/traces',
    new FailureReporter((line) => warnings.push(line)),
  );
  const pipeline = new ExportPipeline('test', spanListExporter(exporter), batch, undefined, reporter);
  const tracer = new BasicTracerProvider({ spanProcessors: [pipeline] }).getTracer('test');
  const end = (name: string): void => tracer.startSpan(name).end();
  return { pipeline, end };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('ExportPipeline', () => {
  it('sends a full batch on the next turn of the event loop, never inside the span.end() that filled it', async () => {
    const exporter = new RecordingExporter();
    const { pipeline, end } = setup(exporter);
    end('a');
    end('b');
    expect(exporter.batches).toEqual([]);
    await nextTurn();
    expect(exporter.batches).toEqual([['a', 'b']]);
    await pipeline.forceFlush();
    expect(pipeline.stats()).toEqual({ received: 2, exported: 2, dropped: 0, refused: 0, pending: 0 });
  });

  it('counts every span: what a full queue refuses is dropped and reported, the rest is exported', async () => {
    const warnings: string[] = [];
    const exporter = new RecordingExporter();
    const { pipeline, end } = setup(exporter, warnings);
    for (const name of ['1', '2', '3', '4', '5', '6']) end(name);
    expect(pipeline.stats()).toEqual({ received: 6, exported: 0, dropped: 2, refused: 0, pending: 4 });
    await pipeline.forceFlush();
    expect(exporter.batches).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(pipeline.stats()).toEqual({ received: 6, exported: 4, dropped: 2, refused: 0, pending: 0 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('queue full (4 spans)');
  });

  it('counts a failed export as dropped', async () => {
    const warnings: string[] = [];
    const { pipeline, end } = setup(new RecordingExporter(ExportResultCode.FAILED), warnings);
    end('a');
    await pipeline.forceFlush();
    expect(pipeline.stats()).toEqual({ received: 1, exported: 0, dropped: 1, refused: 0, pending: 0 });
    expect(warnings[0]).toContain('1 span(s) dropped');
  });

  it('names the export failure that filled the queue, the endpoint and the counts, not "queue full" alone', async () => {
    const warnings: string[] = [];
    const refused: SpanExporter = {
      export: (_spans, done) =>
        setImmediate(() =>
          done({ code: ExportResultCode.FAILED, error: new Error('connect ECONNREFUSED 127.0.0.1:9') }),
        ),
      shutdown: () => Promise.resolve(),
    };
    const { pipeline, end } = setup(refused, warnings);
    for (const name of ['1', '2', '3', '4', '5', '6', '7']) end(name);
    await pipeline.forceFlush();
    expect(pipeline.stats()).toEqual({ received: 7, exported: 0, dropped: 7, refused: 0, pending: 0 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('exporter "test" failed (connect ECONNREFUSED 127.0.0.1:9); 5 span(s) dropped');
    expect(warnings[0]).toContain('2 in failed exports, 3 queue full (4 spans)');
    expect(warnings[0]).toContain('endpoint http://collector.test/v1/traces');
    expect(pipeline.losses()).toEqual({ dropped: 7, lastCause: 'connect ECONNREFUSED 127.0.0.1:9' });
  });

  it('keeps several exports waiting for their answers at once, so a slow round trip (gzip) does not cap throughput', async () => {
    const answers: Array<() => void> = [];
    const slow: SpanExporter = {
      export: (_spans, done) => answers.push(() => done({ code: ExportResultCode.SUCCESS })),
      shutdown: () => Promise.resolve(),
    };
    const tracer = new BasicTracerProvider({
      spanProcessors: [new ExportPipeline('slow', spanListExporter(slow), { ...batch, maxQueueSize: 100 })],
    }).getTracer('test');
    for (let i = 0; i < 12; i++) tracer.startSpan(String(i)).end();
    await nextTurn();
    // Six full batches waiting: four leave at once, the others when an answer frees a slot.
    expect(answers).toHaveLength(4);
    answers[0]?.();
    await nextTurn();
    await nextTurn();
    expect(answers).toHaveLength(5);
  });
});
