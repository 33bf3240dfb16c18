/**
 * Sentry's dedupe, for exceptions only. Sentry drops an event equal to the one before it (the same message or
 * exception, fingerprint and stack): for an error, that is the same failure reported twice in a row, by a wrapper
 * and then a handler. A message, though, is equal to the one before it by design when it names a business event
 * and carries the details in tags: of two "New ticket created" in a row, for two customers, Sentry kept the first
 * only, while the second's event id was already logged and written on its span. So messages always pass, and an
 * exception is compared with the exception before it.
 */
import { dedupeIntegration, type Integration } from '../common/sentry-core.js';

export function exceptionDedupeIntegration(): Integration {
  const dedupe = dedupeIntegration();
  return {
    name: dedupe.name,
    processEvent(event, hint, client) {
      // A captured message (or a captured string) has `message`; an exception event does not.
      if (event.message !== undefined || dedupe.processEvent === undefined) return event;
      return dedupe.processEvent(event, hint, client);
    },
  };
}
