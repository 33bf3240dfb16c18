/**
 * Loads the native sampling profiler only when profiling is on: with SENTRY_PROFILES_SAMPLE_RATE at 0 or unset
 * nothing imports this file's target, so a process without profiling loads no native code.
 */
import { createRequire } from 'node:module';

/** The part of `@sentry/node-cpu-profiler` 2.4 the layer calls (its CHUNK format is Sentry's continuous one). */
export interface RawChunkFrame {
  function?: string;
  abs_path?: string;
  filename?: string;
  module?: string;
  lineno?: number;
  colno?: number;
}
export interface RawChunkSample {
  stack_id: number;
  thread_id: string;
  timestamp: number;
}
export interface RawChunkProfile {
  samples: RawChunkSample[];
  stacks: number[][];
  frames: RawChunkFrame[];
}
export interface NativeProfiler {
  startProfiling(name: string): void;
  stopProfiling(name: string): RawChunkProfile | null;
}

export type ProfilerLoad = { ok: true; profiler: NativeProfiler } | { ok: false; reason: string };

export const PROFILER_PACKAGE = '@sentry/node-cpu-profiler';
/** ProfileFormat.CHUNK of the package's types: the continuous-profiling shape. */
const CHUNK_FORMAT = 1;

interface PackageExports {
  PrivateCpuProfilerBindings?: unknown;
  CpuProfilerBindings?: {
    startProfiling(name: string): void;
    stopProfiling(name: string, format: number): RawChunkProfile | null;
  };
}

let cached: ProfilerLoad | undefined;

/**
 * The package picks its binary for the platform, libc and Node ABI when it is required, and either throws (a
 * binary that cannot be loaded, `SENTRY_PROFILER_BINARY_PATH` pointing nowhere) or logs and leaves its bindings
 * undefined (no binary for this ABI). Both are one failed load here, never an exception for the app.
 */
export function loadNativeProfiler(): ProfilerLoad {
  if (cached) return cached;
  try {
    const required = createRequire(import.meta.url)(PROFILER_PACKAGE) as PackageExports;
    const bindings = required.CpuProfilerBindings;
    if (!required.PrivateCpuProfilerBindings || !bindings) {
      cached = { ok: false, reason: `${PROFILER_PACKAGE} has no binary for ${describePlatform()}` };
    } else {
      cached = {
        ok: true,
        profiler: {
          startProfiling: (name) => bindings.startProfiling(name),
          stopProfiling: (name) => bindings.stopProfiling(name, CHUNK_FORMAT),
        },
      };
    }
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    cached = { ok: false, reason: `${PROFILER_PACKAGE} could not be loaded on ${describePlatform()}: ${message}` };
  }
  return cached;
}

export function describePlatform(): string {
  return `${process.platform}-${process.arch}, Node ${process.versions.node} (ABI ${process.versions.modules})`;
}
