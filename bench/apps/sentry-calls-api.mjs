// The layer's public API with the calls that describe a request or report to Sentry (user, tags, contexts,
// breadcrumbs, captures) going straight to `@sentry/node`: what the support service would call without the
// layer. Spans and the GenAI helpers stay the layer's (plain @opentelemetry/api spans), as in every other row.
import * as Sentry from '@sentry/node';
import * as api from '../../dist/src/telemetry/index.js';

export * from '../../dist/src/telemetry/index.js';

// A renamed call would keep running through the layer under a row that says it goes to Sentry directly.
const replaced = {
  setUserContext: api.setUserContext,
  setTag: api.setTag,
  setContext: api.setContext,
  addBreadcrumb: api.addBreadcrumb,
  captureException: api.captureException,
  captureMessage: api.captureMessage,
};
for (const [name, call] of Object.entries(replaced)) {
  if (typeof call !== 'function') throw new Error(`sentry-calls: the public API has no ${name}`);
}
// The benchmark waits for this line, so a stand-in that was never loaded cannot pass unnoticed.
process.stdout.write("sentry-calls: the service's scope, breadcrumb and capture calls go to @sentry/node\n");

export function setUserContext(user) {
  if (user === null) return Sentry.setUser(null);
  Sentry.setUser({ id: user.userId, email: user.email, company_id: user.companyId, role: user.role });
}
export function setTag(key, value) {
  Sentry.setTag(key, value);
}
export function setContext(name, data) {
  Sentry.setContext(name, data);
}
export function addBreadcrumb(breadcrumb) {
  Sentry.addBreadcrumb(breadcrumb);
}
export function captureException(error, options = {}) {
  return Sentry.captureException(error, { level: options.level ?? 'error', tags: options.tags, extra: options.extra });
}
export function captureMessage(message, options = {}) {
  return Sentry.captureMessage(message, { level: options.level ?? 'info', tags: options.tags, extra: options.extra });
}
