/**
 * Severity numbers as the OpenTelemetry log data model defines them (1-4 TRACE, 5-8 DEBUG, 9-12 INFO, 13-16 WARN,
 * 17-20 ERROR, 21-24 FATAL). Written as numbers: the enum lives in `@opentelemetry/api-logs` on the 2.x line and in
 * `@opentelemetry/api` on the 3.x line, and the values are the same in both.
 */
import type { LogsLevel } from '../common/types.js';

export const SEVERITY_TRACE = 1;
export const SEVERITY_DEBUG = 5;
export const SEVERITY_INFO = 9;
export const SEVERITY_WARN = 13;
export const SEVERITY_ERROR = 17;
export const SEVERITY_FATAL = 21;

/** The lowest severity TELEMETRY_LOGS lets through; `off` lets nothing through. */
export function minimumSeverity(level: LogsLevel): number {
  switch (level) {
    case 'off':
      return Number.POSITIVE_INFINITY;
    case 'error':
      return SEVERITY_ERROR;
    case 'warn':
      return SEVERITY_WARN;
    case 'info':
      return SEVERITY_INFO;
    case 'debug':
      // The most verbose setting: debug and trace records alike.
      return SEVERITY_TRACE;
  }
}

/** A record without a severity is an ordinary message: it is filtered as INFO. */
export function effectiveSeverity(severityNumber: number | undefined): number {
  return severityNumber === undefined || severityNumber <= 0 ? SEVERITY_INFO : severityNumber;
}

export type SeverityName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** The range a severity number falls in, by its lower-case name (Sentry's log levels use the same six). */
export function severityName(severityNumber: number | undefined): SeverityName {
  const n = effectiveSeverity(severityNumber);
  if (n >= SEVERITY_FATAL) return 'fatal';
  if (n >= SEVERITY_ERROR) return 'error';
  if (n >= SEVERITY_WARN) return 'warn';
  if (n >= SEVERITY_INFO) return 'info';
  if (n >= SEVERITY_DEBUG) return 'debug';
  return 'trace';
}
