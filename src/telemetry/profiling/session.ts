/**
 * One profiler session per process, as Sentry's continuous profiling has: one profiler id, and the native
 * profiler running only while a profiled trace is active. What it sampled is cut into a chunk every interval
 * (60 s, as Sentry's SDK) and whenever Sentry is flushed or closed, so a shutdown sends the last one within its
 * budget. A fault of the native profiler turns profiling off with one warning; nothing here throws to a caller.
 */
import { uuid4 } from '@sentry/core';
import { ChunkBuilder, type ChunkIdentity } from './chunk.js';
import type { NativeProfiler } from './loader.js';
import type { ChunkSender } from './sender.js';

export const DEFAULT_CHUNK_INTERVAL_MS = 60_000;

export class ProfilerSession {
  readonly profilerId = uuid4();
  private running: string | undefined;
  private builder = new ChunkBuilder();
  private timer: NodeJS.Timeout | undefined;
  private stopScheduled = false;
  private broken = false;
  /** Samples the per-chunk bound left out. */
  droppedSamples = 0;

  constructor(
    private readonly native: NativeProfiler,
    private readonly sender: ChunkSender,
    private readonly identity: () => Omit<ChunkIdentity, 'profilerId'>,
    private readonly intervalMs: number,
  ) {}

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /** A profiled trace became active. */
  resume(): void {
    this.stopScheduled = false;
    if (this.running !== undefined || this.broken) return;
    this.guard(() => {
      const name = uuid4();
      this.native.startProfiling(name);
      this.running = name;
      this.timer ??= setInterval(() => this.cut(), this.intervalMs).unref();
    });
  }

  /**
   * No profiled trace is active. The stop waits for the end of the turn: a request that ends as the next one
   * starts (keep-alive, a queue) would otherwise stop and restart the native profiler, about 2 ms of main thread.
   */
  pause(): void {
    if (this.running === undefined || this.stopScheduled) return;
    this.stopScheduled = true;
    setImmediate(() => {
      if (!this.stopScheduled) return;
      this.stopScheduled = false;
      this.stopNative();
    });
  }

  /** Sends what was sampled so far; the profiler keeps running if a profiled trace is active. */
  cut(): void {
    const wasRunning = this.running !== undefined && !this.stopScheduled;
    this.stopNative();
    this.stopScheduled = false;
    const chunk = this.builder.build({ profilerId: this.profilerId, ...this.identity() });
    this.droppedSamples += this.builder.droppedSamples;
    this.builder = new ChunkBuilder();
    if (chunk) this.sender.send(chunk);
    if (wasRunning) this.resume();
    else if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Stops for good: the last chunk goes out, the timer is cleared. */
  close(): void {
    this.cut();
    this.broken = true;
  }

  private stopNative(): void {
    const name = this.running;
    if (name === undefined) return;
    this.running = undefined;
    this.guard(() => {
      const profile = this.native.stopProfiling(name);
      if (profile) this.builder.add(profile);
    });
  }

  private guard(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.broken = true;
      this.running = undefined;
      if (this.timer) clearInterval(this.timer);
      this.timer = undefined;
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`otel-sentry-bridge: warning: the profiler failed and is off for this process: ${message}\n`);
    }
  }
}
