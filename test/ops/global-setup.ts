import type { TestProject } from 'vitest/node';
import { buildBinary } from './binaries.js';

declare module 'vitest' {
  export interface ProvidedContext {
    otelcolBin: string;
    promtoolBin: string;
    /** Jaeger v2 binary, or '' when it did not build here (then `jaegerProblem` says why). */
    jaegerBin: string;
    jaegerProblem: string;
  }
}

/**
 * Builds (or reuses from the cache outside the clone) the Collector distribution, promtool and Jaeger v2, once
 * per run. The Collector and promtool are required: their failure (a missing Go toolchain included) fails the
 * run. Jaeger v2 is used where it builds; otherwise the run says so and an OTLP receiver stands in for it.
 */
export default function setup(project: TestProject): void {
  const started = Date.now();
  const otelcolBin = buildBinary('collector');
  const promtoolBin = buildBinary('promtool');
  let jaegerBin = '';
  let jaegerProblem = '';
  try {
    jaegerBin = buildBinary('jaeger');
  } catch (error) {
    jaegerProblem = error instanceof Error ? error.message : String(error);
    process.stderr.write(`[ops] Jaeger v2 did not build; an OTLP/gRPC receiver stands in for it:\n${jaegerProblem}\n`);
  }
  process.stderr.write(
    `[ops] Collector: ${otelcolBin}\n[ops] promtool: ${promtoolBin}\n[ops] Jaeger v2: ${jaegerBin || '(not built)'}\n` +
      `[ops] binaries ready in ${Math.round((Date.now() - started) / 1000)} s\n`,
  );
  project.provide('otelcolBin', otelcolBin);
  project.provide('promtoolBin', promtoolBin);
  project.provide('jaegerBin', jaegerBin);
  project.provide('jaegerProblem', jaegerProblem);
}
