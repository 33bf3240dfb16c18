// The layer's public API with the four calls that only describe the request (user, tags, contexts, breadcrumbs)
// doing nothing; spans, captures and everything else are the layer's own (a module's own exports take precedence
// over its `export *`).
import * as api from '../../dist/src/telemetry/index.js';

export * from '../../dist/src/telemetry/index.js';

// A renamed call would keep running for real under a benchmark row that says it is off.
const replaced = {
  setUserContext: api.setUserContext,
  setTag: api.setTag,
  setContext: api.setContext,
  addBreadcrumb: api.addBreadcrumb,
};
for (const [name, call] of Object.entries(replaced)) {
  if (typeof call !== 'function') throw new Error(`calls-off: the public API has no ${name}`);
}
// The benchmark waits for this line, so a stand-in that was never loaded cannot pass unnoticed.
process.stdout.write("calls-off: the service's scope and breadcrumb calls are no-ops\n");

export function setUserContext() {}
export function setTag() {}
export function setContext() {}
export function addBreadcrumb() {}
