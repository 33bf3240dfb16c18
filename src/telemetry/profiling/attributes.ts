/**
 * What links a span or an error event to the profile that sampled it. The names are Sentry's
 * (`@sentry/conventions` as shipped with @sentry/core 11.12: SENTRY_PROFILER_ID, THREAD_ID, THREAD_NAME); Sentry's
 * continuous profiling joins spans to chunks by profiler id, thread id and time.
 */
import type { Span } from '@opentelemetry/api';
import { isMainThread, threadId } from 'node:worker_threads';
import { ATTR_THREAD_ID, ATTR_THREAD_NAME } from '../common/semconv.js';
import { ATTR_SENTRY_PROFILER_ID } from '../common/sentry-attributes.js';

/** The thread the native profiler samples: the one that loaded it (the main thread: workers are not profiled). */
export const PROFILED_THREAD_ID = String(threadId);
export const PROFILED_THREAD_NAME = isMainThread ? 'main' : 'worker';

export function markProfiledSpan(span: Span, profilerId: string): void {
  span.setAttribute(ATTR_SENTRY_PROFILER_ID, profilerId);
  span.setAttribute(ATTR_THREAD_ID, PROFILED_THREAD_ID);
  span.setAttribute(ATTR_THREAD_NAME, PROFILED_THREAD_NAME);
}
