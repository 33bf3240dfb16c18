/**
 * The process side of the layer: flushing, the drain-then-flush shutdown, and what happens on SIGTERM/SIGINT,
 * fatal errors and an emptying event loop. start.ts assembles the SDKs; this file decides when they stop.
 */
import { trace } from '@opentelemetry/api';
import * as Sentry from '../common/sentry-node.js';
import { deliveredSince, exitTally, lostOverLife, notDelivered } from './exit-report.js';
import type { Pipeline, PipelineStats } from '../export/pipeline.js';
import {
  appUncaughtListeners,
  asUncaughtError,
  rejectionMode,
  warnUnhandledRejection,
} from '../sentry/node-rejections.js';
import type { OpenSpans } from './open-spans.js';
import { untrackedSentryEvents, type SentryEventCounter, type SentryEventCounts } from '../sentry/events-ledger.js';
import { drainServers, trackServers, untrackServers } from './server-drain.js';
import type { TelemetryConfig } from '../common/types.js';

export interface ShutdownReport {
  /**
   * True when every span and Sentry event pending at shutdown was delivered within the budget: false when the
   * budget ran out, and also when a backend refused what was sent in it (those spans and events are dropped).
   */
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
  const v4 = (globalThis as Record<symbol, unknown>)[Symbol.for('signal-exit emitter')] as
    | { count?: unknown }
    | undefined;
  const v3 = (process as unknown as Record<string, { count?: unknown } | undefined>)['__signal_exit_emitter__'];
  return (typeof v4?.count === 'number' ? v4.count : 0) + (typeof v3?.count === 'number' ? v3.count : 0);
}

interface FinishOptions {
  /** How long servers may finish the requests in flight (0: their connections are cut); absent: no drain. */
  drainMs?: number;
  /** On the exit paths: spans still open after the drain are ended with an error status and this reason. */
  endOpenSpans?: string;
}

type ExitArgs = Parameters<typeof process.exit>;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Lifecycle {
  private shuttingDown: Promise<ShutdownReport> | undefined;
  /** Set by the shutdown: whether its flush ran out of time (else anything not delivered was refused). */
  private budgetRanOut = false;
  private fatalInProgress = false;
  private signalsSeen = 0;
  /** A process.exit() call waiting for the flush (exitHook below). */
  private explicitExit: { call: string } | undefined;
  /** True once an exit path said what was lost, so that the 'exit' listener does not say it twice. */
  private reported = false;
  private realExit: typeof process.exit = process.exit;
  private sentryEvents: SentryEventCounter = untrackedSentryEvents();

  constructor(
    private readonly config: TelemetryConfig,
    private readonly pipelines: readonly Pipeline[],
    /** Stops both SDKs; may wait on a hanging backend, so it is always raced against the budget. */
    private readonly stopSdks: () => Promise<unknown>,
    /** The spans started and not ended (none when tracing is off). */
    private readonly openSpans?: OpenSpans,
  ) {}

  stats(): Record<string, PipelineStats> {
    return Object.fromEntries(this.pipelines.map((pipeline) => [pipeline.name, pipeline.stats()]));
  }

  /** What each pipeline carries (spans, log records), for the exit lines. */
  private units(): Record<string, string> {
    return Object.fromEntries(this.pipelines.map((pipeline) => [pipeline.name, pipeline.unit]));
  }

  /** The Sentry events' counts (sentry/events-ledger.ts). */
  eventStats(): SentryEventCounts {
    return this.sentryEvents();
  }

  /** What was lost since start, spans and events, or '' when nothing was. */
  private lostOverLife(): string {
    return lostOverLife(
      Object.fromEntries(this.pipelines.map((pipeline) => [pipeline.name, pipeline.losses()])),
      this.sentryEvents(),
      this.units(),
    );
  }

  /** Spans and Sentry events dropped so far: what a flush drops was due and not delivered. */
  /** What was lost in delivery so far; records a limit refused at the door are not a delivery failure. */
  private dropTotals(): { spans: number; events: number } {
    return {
      spans: this.pipelines.reduce((sum, pipeline) => {
        const stats = pipeline.stats();
        return sum + stats.dropped - stats.refused;
      }, 0),
      events: this.sentryEvents().dropped,
    };
  }

  private async flushBoth(timeoutMs: number): Promise<{ spans: boolean; sentry: boolean }> {
    const spans = Promise.all(this.pipelines.map((pipeline) => pipeline.forceFlush())).then(() =>
      this.pipelines.every((pipeline) => pipeline.stats().pending === 0),
    );
    const [spansDone, sentryDone] = await Promise.all([
      race(spans, timeoutMs, false),
      Sentry.flush(Math.max(1, timeoutMs)).catch(() => false),
    ]);
    return { spans: spansDone, sentry: sentryDone };
  }

  /** Exports what has ended and sends queued Sentry events; true when everything went out in time. */
  async flush(timeoutMs = this.config.shutdownTimeoutMs): Promise<boolean> {
    const before = this.dropTotals();
    const { spans, sentry } = await this.flushBoth(timeoutMs);
    const after = this.dropTotals();
    return spans && sentry && after.spans === before.spans && after.events === before.events;
  }

  /** Drains servers (when asked) with half the budget, flushes with the rest, and never waits past it. */
  finish(drain: boolean): Promise<ShutdownReport> {
    return this.finishWith(drain ? { drainMs: this.config.shutdownTimeoutMs / 2 } : {});
  }

  private finishWith(options: FinishOptions): Promise<ShutdownReport> {
    this.shuttingDown ??= (async () => {
      const budgetMs = this.config.shutdownTimeoutMs;
      const deadline = Date.now() + budgetMs;
      // Whatever is dropped from here on was pending at shutdown (a failed export counts, not only the budget).
      const before = this.dropTotals();
      if (options.drainMs !== undefined) await drainServers(options.drainMs);
      if (options.endOpenSpans !== undefined) {
        // The connections the drain cut close on the next turns; their server spans end there, by their owner.
        await nextTurn();
        await nextTurn();
        this.openSpans?.endOpen(options.endOpenSpans);
      }
      const { spans, sentry } = await this.flushBoth(Math.max(1, deadline - Date.now()));
      this.budgetRanOut = !spans || !sentry;
      for (const pipeline of this.pipelines) pipeline.abandon();
      const after = this.dropTotals();
      const sentryDelivered = sentry && after.events === before.events;
      const report: ShutdownReport = {
        flushed: spans && after.spans === before.spans && sentryDelivered,
        sentryFlushed: sentryDelivered,
        exporters: this.stats(),
      };
      await race(this.stopSdks(), deadline - Date.now(), undefined);
      return report;
    })();
    return this.shuttingDown;
  }

  /** Finishes, says what was lost if anything, and exits: `exitCode` when all was delivered, else 1. */
  private async exitAfter(drain: boolean, exitCode: number, reason: string): Promise<void> {
    const before = exitTally(this.stats(), this.sentryEvents(), this.units());
    const report = await this.finishWith({
      ...(drain ? { drainMs: this.config.shutdownTimeoutMs / 2 } : {}),
      endOpenSpans: reason,
    });
    this.reported = true;
    if (!report.flushed && !this.budgetRanOut) {
      // In time, but a backend refused what was pending: named as such, not as a budget that ran out.
      const lost = notDelivered(before, exitTally(report.exporters, this.sentryEvents(), this.units()));
      process.stderr.write(`otel-sentry-bridge: ${reason}: ${lost || 'not everything pending was delivered'}\n`);
    } else if (!report.flushed) {
      const counts = Object.entries(report.exporters)
        .map(([name, s]) => `${name}: ${s.received} received, ${s.exported} exported, ${s.dropped} dropped`)
        .join('; ');
      process.stderr.write(
        `otel-sentry-bridge: shutdown budget of ${this.config.shutdownTimeoutMs} ms ran out` +
          ` (${counts || 'no span exporter'}; Sentry events ${report.sentryFlushed ? 'sent' : 'not all sent'})\n`,
      );
    }
    const lost = this.lostOverLife();
    if (lost) process.stderr.write(`otel-sentry-bridge: ${reason}; ${lost}\n`);
    this.realExit(report.flushed ? exitCode : 1);
  }

  /** An uncaught exception, already captured by Sentry (its integration calls this): Node's outcome, after a flush. */
  readonly onFatal = (error: unknown): void => {
    this.fatal(error, 'uncaught exception');
  };

  private fatal(error: unknown, kind: 'uncaught exception' | 'unhandled rejection'): void {
    if (this.fatalInProgress) return;
    this.fatalInProgress = true;
    // Node would run no more of the app's code; in strict mode it would not reach the app's rejection listeners.
    for (const listener of process.listeners('unhandledRejection')) {
      if (listener !== this.onRejection && !this.knownRejectionListeners.has(listener))
        process.off('unhandledRejection', listener);
    }
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    const cause = `${kind}: ${error instanceof Error ? error.message : String(error)}`;
    // Still in the failing callback's context: the crashed request's spans will never end by themselves.
    const crashed = trace.getActiveSpan()?.spanContext().traceId;
    if (crashed) this.openSpans?.markFailed(cause, { traceId: crashed, error });
    // process.exit() was called before: Node would have exited with its code already, and that exit goes on.
    if (this.explicitExit) return;
    void this.exitAfterFatal(cause);
  }

  /** Drains as on SIGTERM (requests in flight finish, no new one starts), flushes, says what happened, exits 1. */
  private async exitAfterFatal(cause: string): Promise<void> {
    const before = exitTally(this.stats(), this.sentryEvents(), this.units());
    const report = await this.finishWith({
      drainMs: this.config.shutdownTimeoutMs / 2,
      endOpenSpans: `process exiting after an ${cause}`,
    });
    this.reported = true;
    const after = exitTally(report.exporters, this.sentryEvents(), this.units());
    const lost = notDelivered(before, after);
    process.stderr.write(`otel-sentry-bridge: ${cause}; ${deliveredSince(before, after)}${lost ? `; ${lost}` : ''}\n`);
    const life = this.lostOverLife();
    if (life) process.stderr.write(`otel-sentry-bridge: ${life}\n`);
    this.realExit(1);
  }

  private readonly onSignal = (signal: NodeJS.Signals): void => {
    this.signalsSeen++;
    const appListeners = process.listenerCount(signal) - 1 - signalExitListenerCount();
    // The app's own listener decides when to exit: flush within the budget and leave the rest to it. A second
    // signal means "now", whoever else listens.
    if (appListeners > 0 && this.signalsSeen === 1) {
      void this.flush();
      return;
    }
    void this.exitAfter(true, 0, `process exiting on ${signal}`);
  };

  /**
   * process.exit() is synchronous and Node runs no asynchronous work after it, so spans and events that ended
   * just before it were lost without a word. While something is still to deliver, the call returns, the
   * servers' connections are closed as Node would close them, what is left is flushed within the budget, and
   * the process then exits with the code given. With nothing to deliver, or on a second call, it exits at once.
   */
  private readonly exitHook = (...args: ExitArgs): void => {
    // Forwarded as given: process.exit() without an argument keeps process.exitCode, with one it replaces it.
    const exitNow = (): never => this.realExit.apply(process, args);
    // Inside an 'exit' listener nothing can wait any more (Node exits when the listeners return).
    if (this.explicitExit || this.shuttingDown || Reflect.get(process, '_exiting') === true) exitNow();
    if (this.pending(this.stats(), this.sentryEvents()) === 0 && !this.openSpans?.size) exitNow();
    const call = `process.exit(${args.length > 0 ? String(args[0]) : ''})`;
    this.explicitExit = { call };
    // Should the process end another way meanwhile, it ends with the code asked for.
    if (args.length > 0) process.exitCode = args[0] ?? undefined;
    void this.exitAfterExplicit(call, exitNow);
  };

  private async exitAfterExplicit(call: string, exitNow: () => never): Promise<void> {
    const before = exitTally(this.stats(), this.sentryEvents(), this.units());
    const report = await this.finishWith({ drainMs: 0, endOpenSpans: `${call} before the span ended` });
    this.reported = true;
    const lost = notDelivered(before, exitTally(report.exporters, this.sentryEvents(), this.units()));
    if (lost) process.stderr.write(`otel-sentry-bridge: ${call}: ${lost}\n`);
    exitNow();
  }

  private pending(exporters: Record<string, PipelineStats>, events: { pending: number }): number {
    return Object.values(exporters).reduce((sum, stats) => sum + stats.pending, 0) + events.pending;
  }

  /**
   * The last word, synchronous: whatever exit got here without an exit path's report (a second process.exit(),
   * an exit from inside a dependency) and leaves spans or events behind says so, since nothing can send them now.
   */
  private readonly onExit = (code: number): void => {
    if (this.reported) return;
    const exporters = this.stats();
    const events = this.sentryEvents();
    if (this.pending(exporters, events) === 0) return;
    // Only what is still pending: drops before now were counted and warned about when they happened.
    const now = exitTally(exporters, events, this.units());
    process.stderr.write(`otel-sentry-bridge: exiting with code ${code}: ${notDelivered(now, now)}\n`);
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
    for (const monitor of process.listeners('uncaughtExceptionMonitor'))
      monitor.call(process, error, 'unhandledRejection');
    const listeners = appUncaughtListeners();
    if (listeners.length === 0) {
      this.fatal(error, 'unhandled rejection');
      return;
    }
    try {
      for (const listener of listeners) listener.call(process, error, 'unhandledRejection');
    } catch (thrown) {
      // Node ends the process when an uncaughtException listener throws.
      this.fatal(thrown, 'uncaught exception');
    }
  }

  /** Registers the process hooks; call after Sentry.init so its rejection listener is known as not the app's. */
  install(sentryEvents: SentryEventCounter): void {
    this.sentryEvents = sentryEvents;
    this.realExit = process.exit;
    // Off: Node's own process.exit(); the 'exit' listener still says what it left behind.
    if (this.config.exitFlush !== false) process.exit = this.exitHook as typeof process.exit;
    process.on('exit', this.onExit);
    this.knownRejectionListeners = new Set(process.listeners('unhandledRejection'));
    process.on('unhandledRejection', this.onRejection);
    process.on('SIGTERM', this.onSignal);
    process.on('SIGINT', this.onSignal);
    process.on('beforeExit', this.onBeforeExit);
    trackServers();
  }

  uninstall(): void {
    if (process.exit === (this.exitHook as typeof process.exit)) process.exit = this.realExit;
    process.off('exit', this.onExit);
    process.off('unhandledRejection', this.onRejection);
    process.off('SIGTERM', this.onSignal);
    process.off('SIGINT', this.onSignal);
    process.off('beforeExit', this.onBeforeExit);
    untrackServers();
  }
}
