/**
 * `console.*` as log records. The console is patched once, by Sentry's console instrumentation, which its
 * breadcrumbs integration already uses: this source is one more handler on it, so the methods are not wrapped
 * twice. The handler runs inside the app's call, before the text is printed, in the caller's context, so the
 * record carries the caller's trace.
 */
import { format } from 'node:util';
import { addConsoleInstrumentationHandler } from '../common/sentry-core.js';
import { SEVERITY_DEBUG, SEVERITY_ERROR, SEVERITY_INFO, SEVERITY_TRACE, SEVERITY_WARN } from './severity.js';

/** The instrumentation scope the console's records carry. */
export const CONSOLE_SCOPE = 'otel-sentry-bridge/console';

/** What this module needs of an OpenTelemetry logger (the type lives in api-logs on 2.x, in the API on 3.x). */
export interface EmittingLogger {
  emit(record: { severityNumber?: number; severityText?: string; body?: string }): void;
}

const SEVERITY: Record<string, [number, string]> = {
  trace: [SEVERITY_TRACE, 'TRACE'],
  debug: [SEVERITY_DEBUG, 'DEBUG'],
  log: [SEVERITY_INFO, 'INFO'],
  info: [SEVERITY_INFO, 'INFO'],
  warn: [SEVERITY_WARN, 'WARN'],
  error: [SEVERITY_ERROR, 'ERROR'],
  assert: [SEVERITY_ERROR, 'ERROR'],
};

/** Starts capturing; `minimum` is the lowest severity worth formatting. Returns the function that stops it. */
export function captureConsole(logger: EmittingLogger, minimum: number): () => void {
  let emitting = false;
  return addConsoleInstrumentationHandler(({ args, level }) => {
    const severity = SEVERITY[level];
    // Below the level, nothing is formatted: console.log stays as cheap as it was.
    if (severity === undefined || severity[0] < minimum || emitting) return;
    let body: string;
    if (level === 'assert') {
      // console.assert prints only when its condition fails, and so is a record only then.
      if (args[0]) return;
      body = args.length > 1 ? `Assertion failed: ${format(...args.slice(1))}` : 'Assertion failed';
    } else {
      body = format(...args);
    }
    // A processor that prints (a diag message from the SDK) must not come back here.
    emitting = true;
    try {
      logger.emit({ severityNumber: severity[0], severityText: severity[1], body });
    } finally {
      emitting = false;
    }
  });
}
