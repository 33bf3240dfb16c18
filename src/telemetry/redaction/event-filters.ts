/**
 * Sentry's `beforeSend` / `beforeBreadcrumb`, composed: the layer's own filtering and scrubbing first, then the
 * user's hooks from the config module, so a user hook only ever sees data that is already safe to send.
 */
import { stringMatchesSomePattern } from '../common/sentry-core.js';
import type { Breadcrumb, BreadcrumbHint, Client, ErrorEvent, EventHint, Integration } from '@sentry/core';
import { pathIsIgnored } from '../common/pattern-match.js';
import { FILTERED, redactorFor, type RedactionConfig, type Redactor } from './redactor.js';
import { reportInternalError } from '../common/internal-errors.js';
import type { EventLike, TelemetryConfig } from '../common/types.js';

/** Event fields that hold SDK bookkeeping (live Scope objects among them), never user data. */
const UNSCRUBBED_FIELDS = new Set([
  'sdkProcessingMetadata',
  'sdk',
  'debug_meta',
  'modules',
  'event_id',
  'timestamp',
  'start_timestamp',
  'platform',
  'level',
  'type',
  'spans',
]);

function pathOf(url: string | undefined): string | undefined {
  if (url === undefined || url === '') return undefined;
  try {
    return new URL(url, 'http://placeholder').pathname;
  } catch {
    // Not a URL: no path to match the ignore rules against.
    return undefined;
  }
}

/** The request path an event belongs to, from the request data or from Sentry's per-request metadata. */
function requestPath(event: ErrorEvent): string | undefined {
  const metadata = event.sdkProcessingMetadata as { normalizedRequest?: { url?: string } } | undefined;
  return pathOf(event.request?.url) ?? pathOf(metadata?.normalizedRequest?.url);
}

/**
 * The same rule as the HTTP server hook and the sampler (a string names one path exactly): a substring match
 * would drop the errors of `/api/healthy-stats` while its spans are kept.
 */
function isHealthCheckPath(config: Pick<TelemetryConfig, 'sampling'>, path: string | undefined): boolean {
  return path !== undefined && pathIsIgnored(path, config.sampling.ignoreSpans);
}

/** The texts `ignoreErrors` is matched against, as Sentry's own event filter builds them. */
function eventMessages(event: ErrorEvent): string[] {
  const messages: string[] = [];
  if (typeof event.message === 'string') messages.push(event.message);
  for (const exception of event.exception?.values ?? []) {
    if (exception.value !== undefined) messages.push(exception.value);
    if (exception.type !== undefined)
      messages.push(exception.value !== undefined ? `${exception.type}: ${exception.value}` : exception.type);
  }
  return messages;
}

function scrubEvent(event: ErrorEvent, redactor: Redactor): ErrorEvent {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    out[key] = UNSCRUBBED_FIELDS.has(key) ? value : redactor.scrubValue(value, key);
  }
  const scrubbed = out as unknown as ErrorEvent;
  if (!redactor.sendDefaultPii && scrubbed.user !== undefined) {
    // Sentry would show a placeholder as the user's address; without PII there is simply none.
    const { email: _email, ip_address: _ip, ...user } = scrubbed.user;
    scrubbed.user = user;
  }
  return scrubbed;
}

function scrubBreadcrumbInPlace(breadcrumb: Breadcrumb, redactor: Redactor): void {
  if (breadcrumb.message !== undefined) breadcrumb.message = redactor.scrubString(breadcrumb.message);
  if (breadcrumb.data !== undefined) breadcrumb.data = redactor.scrubValue(breadcrumb.data) as Record<string, unknown>;
}

export function scrubBreadcrumb(breadcrumb: Breadcrumb, redactor: Redactor): Breadcrumb {
  const out: Breadcrumb = { ...breadcrumb };
  scrubBreadcrumbInPlace(out, redactor);
  return out;
}

export type SentryBeforeSend = (
  event: ErrorEvent,
  hint: EventHint,
) => PromiseLike<ErrorEvent | null> | ErrorEvent | null;
export type SentryBeforeBreadcrumb = (breadcrumb: Breadcrumb, hint?: BreadcrumbHint) => Breadcrumb | null;

/**
 * Health checks never produce events; scrubbing runs before `ignoreErrors` and the user's `beforeSend`.
 * Pass `ignoreErrors` here rather than to Sentry.init, or it would match the unscrubbed text.
 */
export function createBeforeSend(config: RedactionConfig & Pick<TelemetryConfig, 'sampling'>): SentryBeforeSend {
  const redactor = redactorFor(config);
  const userHook = config.sentry.beforeSend;
  return (event, hint) => {
    if (isHealthCheckPath(config, requestPath(event))) return null;
    const scrubbed = scrubEvent(event, redactor);
    if (
      config.sentry.ignoreErrors.length > 0 &&
      eventMessages(scrubbed).some((m) => stringMatchesSomePattern(m, config.sentry.ignoreErrors))
    ) {
      return null;
    }
    if (userHook === undefined) return scrubbed;
    return userHook(scrubbed as unknown as EventLike, hint as Record<string, unknown>) as
      | PromiseLike<ErrorEvent | null>
      | ErrorEvent
      | null;
  };
}

/**
 * Only for a user `beforeBreadcrumb`, which must see scrubbed data: without one, breadcrumbScrubbingIntegration
 * scrubs, because Sentry runs this hook inside `consoleSandbox`, which swaps every console method out and back
 * on each breadcrumb (about 40 % of a breadcrumb's cost in Sentry, and a request records a dozen).
 */
export function createBeforeBreadcrumb(config: RedactionConfig): SentryBeforeBreadcrumb | undefined {
  const userHook = config.sentry.beforeBreadcrumb;
  if (userHook === undefined) return undefined;
  const redactor = redactorFor(config);
  return (breadcrumb, hint) => {
    const scrubbed = scrubBreadcrumb(breadcrumb, redactor);
    return userHook(scrubbed as EventLike, hint as Record<string, unknown> | undefined) as Breadcrumb | null;
  };
}

export const BREADCRUMB_SCRUBBING_INTEGRATION_NAME = 'OtelBreadcrumbScrubbing';

/**
 * Scrubs each breadcrumb where Sentry announces it (`beforeAddBreadcrumb`), in place: Sentry hands its listeners
 * its own copy of the caller's breadcrumb, and stores a copy of that copy once they ran. The scope bridge's
 * listener runs after this one (it registers after every setup), so its span event is made from the scrubbed
 * breadcrumb too. Does nothing when a user `beforeBreadcrumb` scrubs instead (see createBeforeBreadcrumb).
 */
export function breadcrumbScrubbingIntegration(config: RedactionConfig): Integration {
  return {
    name: BREADCRUMB_SCRUBBING_INTEGRATION_NAME,
    setup(client: Client): void {
      if (config.sentry.beforeBreadcrumb !== undefined) return;
      const redactor = redactorFor(config);
      client.on('beforeAddBreadcrumb', (breadcrumb: Breadcrumb) => {
        try {
          scrubBreadcrumbInPlace(breadcrumb, redactor);
        } catch (error) {
          // A listener cannot drop the breadcrumb (Sentry drops it when beforeBreadcrumb throws): its message and
          // data are not kept, its category, level and time are. Counted, and logged to
          // diag once (internal-errors.ts): not to the console, whose output Sentry turns into breadcrumbs.
          breadcrumb.message = FILTERED;
          delete breadcrumb.data;
          reportInternalError('event-filters.scrubBreadcrumb', error);
        }
      });
    },
  };
}
