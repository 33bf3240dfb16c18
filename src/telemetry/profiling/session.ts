/**
 * One profiler session per process, as Sentry's continuous profiling has: one profiler id, and the native
 * profiler running only while a profiled trace is active. What it sampled is cut into a chunk every interval
 * (60 s, as Sentry's SDK) and whenever Sentry is flushed or closed, so a shutdown sends the last one within its
 * budget. A fault of the native profiler turns profiling off with one warning; nothing here throws to a caller.
 */
import { uuid4 } from '../common/sentry-core.js';
import { ChunkBuilder, type ChunkIdentity } from './chunk.js';
import type { NativeProfiler } from './loader.js';
import type { ChunkSender } from './sender.js';

export const DEFAULT_CHUNK_INTERVAL_MS = 60_000;
/**
 * How long the native profiler keeps running after the last profiled trace ended. A stop and the next start cost
 * the main thread 2-3 ms in a running service (more than the microbenchmark's 0.7 ms: the profiler walks the
 * code it already knows at each start); requests one at a time on a minimal route ran at about a quarter of
 * their throughput when the profiler stopped after each (328 against 1,209 requests/s here). Sampling an idle
 * thread costs next to nothing, so a service with a request at least every second keeps one running profiler.
 */
export const DEFAULT_STOP_GRACE_MS = 1000;

export class ProfilerSession {
  readonly profilerId = uuid4();
  private running: string | undefined;
  private builder = new ChunkBuilder();
  private timer: NodeJS.Timeout | undefined;
  private stopTimer: NodeJS.Timeout | undefined;
  private broken = false;
  /** Samples the per-chunk bound left out. */
  droppedSamples = 0;

  constructor(
    private readonly native: NativeProfiler,
    private readonly sender: ChunkSender,
    private readonly identity: () => Omit<ChunkIdentity, 'profilerId'>,
    private readonly intervalMs: number,
    private readonly stopGraceMs = DEFAULT_STOP_GRACE_MS,
  ) {}

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /** A profiled trace became active. */
  resume(): void {
    this.cancelStop();
    if (this.running !== undefined || this.broken) return;
    this.guard(() => {
      const name = uuid4();
      this.native.startProfiling(name);
      this.running = name;
      this.timer ??= setInterval(() => this.cut(), this.intervalMs).unref();
    });
  }

  /** No profiled trace is active: the profiler stops unless one starts within the grace period. */
  pause(): void {
    if (this.running === undefined || this.stopTimer) return;
    this.stopTimer = setTimeout(() => {
      this.stopTimer = undefined;
      this.stopNative();
    }, this.stopGraceMs).unref();
  }

  private cancelStop(): void {
    if (!this.stopTimer) return;
    clearTimeout(this.stopTimer);
    this.stopTimer = undefined;
  }

  /** Sends what was sampled so far; the profiler keeps running if a profiled trace is active. */
  cut(): void {
    // A profiler in its grace period is stopped for good: no profiled trace is active.
    const wasRunning = this.running !== undefined && !this.stopTimer;
    this.cancelStop();
    this.stopNative();
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
      process.stderr.write(
        `otel-sentry-bridge: warning: the profiler failed and is off for this process: ${message}\n`,
      );
    }
  }
}
