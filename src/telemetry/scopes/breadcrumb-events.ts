/**
 * The breadcrumb integration: every breadcrumb Sentry records also becomes a `breadcrumb` event on a span, so a
 * backend without Sentry sees the same trail.
 */
import { trace, type Attributes, type Span as ApiSpan } from '@opentelemetry/api';
import type { Breadcrumb, BreadcrumbHint, Client, Integration } from '@sentry/core';
import type { TelemetryConfig } from '../common/types.js';
import { joinedKey, toAttributeValue } from './attribute-values.js';

/** The breadcrumb hint key under which the monitoring API names the span a breadcrumb belongs to. */
export const BREADCRUMB_SPAN_HINT = 'otelSpan';
/**
 * Breadcrumbs recorded from I/O callbacks: their async context is the keep-alive socket's, which may belong to
 * another request, so only their scope (fixed by the recorder) is trusted, never the active span. Their spans
 * exist anyway (HTTP client spans).
 */
const IO_BREADCRUMB_CATEGORIES = new Set(['http', 'fetch', 'xhr']);

function breadcrumbAttributes(breadcrumb: Breadcrumb): Attributes {
  const attributes: Attributes = {};
  if (breadcrumb.category !== undefined) attributes.category = breadcrumb.category;
  if (breadcrumb.level !== undefined) attributes.level = breadcrumb.level;
  if (breadcrumb.message !== undefined) attributes.message = breadcrumb.message;
  if (breadcrumb.type !== undefined) attributes.type = breadcrumb.type;
  const data = breadcrumb.data;
  for (const key in data) {
    const attr = Object.hasOwn(data, key) ? toAttributeValue(data[key]) : undefined;
    if (attr !== undefined) attributes[joinedKey('data', key)] = attr;
  }
  return attributes;
}

export function addBreadcrumbEvent(span: ApiSpan, breadcrumb: Breadcrumb): void {
  if (span.isRecording()) span.addEvent('breadcrumb', breadcrumbAttributes(breadcrumb));
}

export const SCOPE_BRIDGE_INTEGRATION_NAME = 'OtelScopeBridge';

/**
 * The Sentry side of the bridge: every breadcrumb that passed `beforeBreadcrumb` becomes a `breadcrumb` event.
 * The span is the one the monitoring API named, else the active span, except for I/O breadcrumbs whose
 * async context cannot be trusted (see IO_BREADCRUMB_CATEGORIES).
 */
export function scopeBridgeIntegration(_config?: Pick<TelemetryConfig, 'sentry'>): Integration {
  return {
    name: SCOPE_BRIDGE_INTEGRATION_NAME,
    // After every integration's setup, so this listener runs last: the span event is made from the breadcrumb as
    // the others (the layer's scrubbing) left it, whatever the order of the integrations.
    afterAllSetup(client: Client): void {
      client.on('beforeAddBreadcrumb', (breadcrumb: Breadcrumb, hint?: BreadcrumbHint) => {
        const named = hint?.[BREADCRUMB_SPAN_HINT] as ApiSpan | undefined;
        const span =
          named ?? (IO_BREADCRUMB_CATEGORIES.has(breadcrumb.category ?? '') ? undefined : trace.getActiveSpan());
        if (span !== undefined) addBreadcrumbEvent(span, breadcrumb);
      });
    },
  };
}
