/**
 * The process side of the layer: flushing, the drain-then-flush shutdown, and what happens on SIGTERM/SIGINT,
 * fatal errors and an emptying event loop. start.ts assembles the SDKs; this file decides when they stop.
 */
import * as Sentry from '@sentry/node';
import type { ExportPipeline, PipelineStats } from './export-pipeline.js';
import { drainServers, trackServers, untrackServers } from './server-drain.js';
import type { TelemetryConfig } from './types.js';

export interface ShutdownReport {
  /** True when every span and Sentry event was delivered within the budget. */
  flushed: boolean;
  sentryFlushed: boolean;
  exporters: Record<string, PipelineStats>;
}

/** Resolves with `fallback` when `promise` neither settles nor rejects within `ms`; never rejects. */
export function race<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise<T>((resolve) => {
    const timer = setTimeout(() => resolve(fallback), Math.max(0, ms));
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(fallback);
      },
    );
  });
}

/**
 * signal-exit (a dependency of many CLIs and build tools) listens for signals and re-raises one only when it is
 * the sole listener left. Its listeners are not the app's: counting them as such would leave both waiting for
 * the other and the process ignoring SIGTERM.
 */
function signalExitListenerCount(): number {
  const v4 = (globalThis as Record<symbol, unknown>)[Symbol.for('signal-exit emitter')] as { count?: unknown } | undefined;
  const v3 = (process as unknown as Record<string, { count?: unknown } | undefined>)['__signal_exit_emitter__'];
  return (typeof v4?.count === 'number' ? v4.count : 0) + (typeof v3?.count === 'number' ? v3.count : 0);
}

export class Lifecycle {
  private shuttingDown: Promise<ShutdownReport> | undefined;
  private fatalInProgress = false;
  private signalsSeen = 0;

  constructor(
    private readonly config: TelemetryConfig,
    private readonly pipelines: ExportPipeline[],
    /** Stops both SDKs; may wait on a hanging backend, so it is always raced against the budget. */
    private readonly stopSdks: () => Promise<unknown>,
  ) {}

  stats(): Record<string, PipelineStats> {
    return Object.fromEntries(this.pipelines.map((pipeline) => [pipeline.name, pipeline.stats()]));
  }

  private async flushBoth(timeoutMs: number): Promise<{ spans: boolean; sentry: boolean }> {
    const spans = Promise.all(this.pipelines.map((pipeline) => pipeline.forceFlush())).then(
      () => this.pipelines.every((pipeline) => pipeline.stats().pending === 0),
    );
    const [spansDone, sentryDone] = await Promise.all([
      race(spans, timeoutMs, false),
      Sentry.flush(Math.max(1, timeoutMs)).catch(() => false),
    ]);
    return { spans: spansDone, sentry: sentryDone };
  }

  /** Exports what has ended and sends queued Sentry events; true when everything went out in time. */
  async flush(timeoutMs = this.config.shutdownTimeoutMs): Promise<boolean> {
    const { spans, sentry } = await this.flushBoth(timeoutMs);
    return spans && sentry;
  }

  /** Drains servers (when asked) with half the budget, flushes with the rest, and never waits past it. */
  finish(drain: boolean): Promise<ShutdownReport> {
    this.shuttingDown ??= (async () => {
      const budgetMs = this.config.shutdownTimeoutMs;
      const deadline = Date.now() + budgetMs;
      if (drain) await drainServers(budgetMs / 2);
      const { spans, sentry } = await this.flushBoth(Math.max(1, deadline - Date.now()));
      for (const pipeline of this.pipelines) pipeline.abandon();
      const report: ShutdownReport = { flushed: spans && sentry, sentryFlushed: sentry, exporters: this.stats() };
      await race(this.stopSdks(), deadline - Date.now(), undefined);
      return report;
    })();
    return this.shuttingDown;
  }

  /** Finishes, says what was lost if anything, and exits: `exitCode` when all was delivered, else 1. */
  private async exitAfter(drain: boolean, exitCode: number): Promise<void> {
    const report = await this.finish(drain);
    if (!report.flushed) {
      const counts = Object.entries(report.exporters)
        .map(([name, s]) => `${name}: ${s.received} received, ${s.exported} exported, ${s.dropped} dropped`)
        .join('; ');
      process.stderr.write(
        `otel-sentry-bridge: shutdown budget of ${this.config.shutdownTimeoutMs} ms ran out` +
          ` (${counts || 'no span exporter'}; Sentry events ${report.sentryFlushed ? 'sent' : 'not all sent'})\n`,
      );
    }
    process.exit(report.flushed ? exitCode : 1);
  }

  /** An uncaught exception or unhandled rejection, already captured by Sentry: Node's outcome, after a flush. */
  readonly onFatal = (error: unknown): void => {
    if (this.fatalInProgress) return;
    this.fatalInProgress = true;
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    // Drain as on SIGTERM: requests in flight finish and end their spans, no new one starts, then all is flushed.
    void this.exitAfter(true, 1);
  };

  private readonly onSignal = (signal: NodeJS.Signals): void => {
    this.signalsSeen++;
    const appListeners = process.listenerCount(signal) - 1 - signalExitListenerCount();
    // The app's own listener decides when to exit: flush within the budget and leave the rest to it. A second
    // signal means "now", whoever else listens.
    if (appListeners > 0 && this.signalsSeen === 1) {
      void this.flush();
      return;
    }
    void this.exitAfter(true, 0);
  };

  private flushedAtExit = false;

  /**
   * A script that ends on its own leaves its last spans behind unref'd timers (the batch's, the console tree's):
   * export them now. The pipelines' counts miss what an exporter holds, so the first time the loop empties always
   * flushes; after that only new pending spans do (a flush that found nothing must not wake the loop forever).
   */
  private readonly onBeforeExit = (): void => {
    if (this.flushedAtExit && !this.pipelines.some((pipeline) => pipeline.stats().pending > 0)) return;
    this.flushedAtExit = true;
    void this.flush();
  };

  private knownRejectionListeners = new Set<NodeJS.UnhandledRejectionListener>();

  /**
   * Node ends the process on an unhandled rejection; Sentry's listener (mode none) captured it, and the layer
   * restores Node's outcome unless the app listens for rejections itself.
   */
  private readonly onRejection = (reason: unknown): void => {
    const appListens = process
      .listeners('unhandledRejection')
      .some((listener) => listener !== this.onRejection && !this.knownRejectionListeners.has(listener));
    if (!appListens) this.onFatal(reason);
  };

  /** Registers the process hooks; call after Sentry.init so its rejection listener is known as not the app's. */
  install(): void {
    this.knownRejectionListeners = new Set(process.listeners('unhandledRejection'));
    process.on('unhandledRejection', this.onRejection);
    process.on('SIGTERM', this.onSignal);
    process.on('SIGINT', this.onSignal);
    process.on('beforeExit', this.onBeforeExit);
    trackServers();
  }

  uninstall(): void {
    process.off('unhandledRejection', this.onRejection);
    process.off('SIGTERM', this.onSignal);
    process.off('SIGINT', this.onSignal);
    process.off('beforeExit', this.onBeforeExit);
    untrackServers();
  }
}
