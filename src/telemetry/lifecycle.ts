/**
 * The process side of the layer: flushing, the drain-then-flush shutdown, and what happens on SIGTERM/SIGINT,
 * fatal errors and an emptying event loop. start.ts assembles the SDKs; this file decides when they stop.
 */
import * as Sentry from '@sentry/node';
import type { ExportPipeline, PipelineStats } from './export-pipeline.js';
import { appUncaughtListeners, asUncaughtError, rejectionMode, warnUnhandledRejection } from './node-rejections.js';
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
    // Node would run no more of the app's code; in strict mode it would not reach the app's rejection listeners.
    for (const listener of process.listeners('unhandledRejection')) {
      if (listener !== this.onRejection && !this.knownRejectionListeners.has(listener)) process.off('unhandledRejection', listener);
    }
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

  /** A script that ends on its own leaves its last spans behind an unref'd batch timer: export them now. */
  private readonly onBeforeExit = (): void => {
    if (this.pipelines.some((pipeline) => pipeline.stats().pending > 0)) void this.flush();
  };

  private knownRejectionListeners = new Set<NodeJS.UnhandledRejectionListener>();
  private readonly rejectionMode = rejectionMode();

  /**
   * Node picks an unhandled rejection's outcome by whether anyone listens for it; Sentry's listener (mode none: it
   * only captures) and this one always do, so Node would do nothing. This listener does what Node would have done
   * without them, by the `--unhandled-rejections` mode and the app's own listeners (node-rejections.ts).
   */
  private readonly onRejection = (reason: unknown): void => {
    if (this.fatalInProgress) return;
    const appListens = process
      .listeners('unhandledRejection')
      .some((listener) => listener !== this.onRejection && !this.knownRejectionListeners.has(listener));
    if (appListens) return;
    switch (this.rejectionMode) {
      case 'throw':
        this.raiseAsUncaught(reason);
        break;
      // Node raised it as an uncaught exception before this event (the fatal path ran unless the app listens for
      // those); what is left is the warning Node prints when no rejection listener handled it.
      case 'strict':
        warnUnhandledRejection(reason);
        break;
      case 'warn-with-error-code':
        warnUnhandledRejection(reason);
        process.exitCode = 1;
        break;
      // 'warn': Node prints its warning whoever listens; 'none': nothing happens.
      default:
        break;
    }
  };

  /**
   * Node's `throw` mode: the rejection becomes an uncaught exception with origin `unhandledRejection`. Only the
   * app's listeners are called: Sentry captured the rejection already and would capture it a second time.
   */
  private raiseAsUncaught(reason: unknown): void {
    const error = asUncaughtError(reason);
    for (const monitor of process.listeners('uncaughtExceptionMonitor')) monitor.call(process, error, 'unhandledRejection');
    const listeners = appUncaughtListeners();
    if (listeners.length === 0) {
      this.onFatal(error);
      return;
    }
    try {
      for (const listener of listeners) listener.call(process, error, 'unhandledRejection');
    } catch (thrown) {
      // Node ends the process when an uncaughtException listener throws.
      this.onFatal(thrown);
    }
  }

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
