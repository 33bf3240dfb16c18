import type { TestProject } from 'vitest/node';
import { buildBinary } from './binaries.js';

declare module 'vitest' {
  export interface ProvidedContext {
    otelcolBin: string;
    promtoolBin: string;
  }
}

/** Builds (or reuses from the cache outside the clone) the Collector distribution and promtool, once per run. */
export default function setup(project: TestProject): void {
  const started = Date.now();
  const otelcolBin = buildBinary('collector');
  const promtoolBin = buildBinary('promtool');
  process.stderr.write(
    `[ops] Collector: ${otelcolBin}\n[ops] promtool: ${promtoolBin}\n[ops] binaries ready in ${Math.round((Date.now() - started) / 1000)} s\n`,
  );
  project.provide('otelcolBin', otelcolBin);
  project.provide('promtoolBin', promtoolBin);
}
