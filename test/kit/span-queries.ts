import type { ReceivedSpan } from './otlp-normalize.js';

// Small queries over received spans, so end-to-end assertions read as the trace they describe.

export function spansNamed(spans: readonly ReceivedSpan[], name: string | RegExp): ReceivedSpan[] {
  return spans.filter((span) => (typeof name === 'string' ? span.name === name : name.test(span.name)));
}

export function spansOfTrace(spans: readonly ReceivedSpan[], traceId: string): ReceivedSpan[] {
  return spans.filter((span) => span.traceId === traceId);
}

export function childrenOf(
  spans: readonly ReceivedSpan[],
  parent: Pick<ReceivedSpan, 'traceId' | 'spanId'>,
): ReceivedSpan[] {
  return spans.filter((span) => span.traceId === parent.traceId && span.parentSpanId === parent.spanId);
}

/** Spans whose parent is not among `spans` (true roots, and children of remote parents). */
export function localRoots(spans: readonly ReceivedSpan[]): ReceivedSpan[] {
  const ids = new Set(spans.map((span) => `${span.traceId}/${span.spanId}`));
  return spans.filter((span) => span.parentSpanId === undefined || !ids.has(`${span.traceId}/${span.parentSpanId}`));
}

/** An indented tree of the spans, one line each: for failure messages. */
export function formatSpanTree(spans: readonly ReceivedSpan[]): string {
  const lines: string[] = [];
  const visit = (span: ReceivedSpan, depth: number): void => {
    lines.push(
      `${'  '.repeat(depth)}${span.kindName} ${span.name} [${span.traceId.slice(0, 8)}/${span.spanId}] status=${span.status.code}`,
    );
    for (const child of childrenOf(spans, span)) visit(child, depth + 1);
  };
  for (const root of localRoots(spans)) visit(root, 0);
  return lines.join('\n');
}
