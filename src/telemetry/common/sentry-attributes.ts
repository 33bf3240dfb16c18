/**
 * The `sentry.*` attribute names the layer writes on spans and span events, each named once. Sentry's own come
 * from @sentry/core's SEMANTIC_ATTRIBUTE_SENTRY_* (loaded anyway; 11.12 marks them deprecated in favour of
 * @sentry/conventions, a package the layer does not depend on, which has no `sentry.sample_rate`). Sentry names
 * @sentry/core has no constant for, and the layer's own, are written here; test/unit/sentry-attributes.test.ts
 * checks them against @sentry/conventions where it defines them.
 */
import { SEMANTIC_ATTRIBUTE_SENTRY_OP, SEMANTIC_ATTRIBUTE_SENTRY_SAMPLE_RATE } from './sentry-core.js';

/** Sentry reads the operation of an OTLP span from this attribute. */
export const ATTR_SENTRY_OP = SEMANTIC_ATTRIBUTE_SENTRY_OP;
/** The rate a root span was sampled at (Sentry extrapolates counts from it). */
export const ATTR_SENTRY_SAMPLE_RATE = SEMANTIC_ATTRIBUTE_SENTRY_SAMPLE_RATE;
/** Continuous profiling's profiler id, which joins spans to profile chunks (@sentry/conventions SENTRY_PROFILER_ID). */
export const ATTR_SENTRY_PROFILER_ID = 'sentry.profiler_id';

// The layer's own: what a captured error or message adds to its span event.
/** The Sentry event id of the capture, to find the event from the trace. */
export const ATTR_SENTRY_EVENT_ID = 'sentry.event_id';
/** The capture's Sentry level (`error`, `warning`, ...). */
export const ATTR_SENTRY_LEVEL = 'sentry.level';
/** Prefix of a scope tag on a span event, and of a tag whose key clashes with an attribute the span set itself. */
export const TAG_CLASH_PREFIX = 'sentry.tag.';
