/**
 * The layer's own failures that it contains instead of throwing into the app (a span processor, a propagator, a
 * monitoring call, the user's tracesSampler): each is counted per call site for `stats().internalErrors`, and the
 * first one of each site leaves one debug-level diag line (OTEL_LOG_LEVEL=debug shows it), as OpenTelemetry's
 * globalErrorHandler and Sentry's debug logger do. A site that fails on every span logs once, not per span.
 * Debug, not the console: Sentry turns console output into breadcrumbs.
 */
import { diag } from '@opentelemetry/api';

export interface InternalErrorCounts {
  /** Contained failures since the process started. */
  total: number;
  /** The same, per call site (`processor:scope-bridge.onStart`, `propagation.inject`, ...). */
  bySite: Record<string, number>;
}

const MAX_MESSAGE = 300;
const counts = new Map<string, number>();
let total = 0;

function describe(error: unknown): string {
  try {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}...` : text;
  } catch {
    // A thrown value whose toString throws still gets its line, without a description.
    return 'an error that cannot be described';
  }
}

/** Counts a contained failure at `site`; the first one there is written to diag. Never throws. */
export function reportInternalError(site: string, error: unknown): void {
  total++;
  const seen = counts.get(site) ?? 0;
  counts.set(site, seen + 1);
  if (seen > 0) return;
  try {
    diag.debug(
      `otel-sentry-bridge: ${site} failed; contained, the app goes on (counted in stats().internalErrors): ${describe(error)}`,
    );
  } catch {
    // A diag logger that throws has nowhere left to report to; the count above stands.
  }
}

export function internalErrorCounts(): InternalErrorCounts {
  return { total, bySite: Object.fromEntries(counts) };
}

/** For tests: forget the counts and which sites have logged. */
export function resetInternalErrors(): void {
  counts.clear();
  total = 0;
}
