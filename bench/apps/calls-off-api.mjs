// The layer's public API with the four calls that only describe the request (user, tags, contexts, breadcrumbs)
// doing nothing; spans, captures and everything else are the layer's own (a module's own exports take precedence
// over its `export *`).
export * from '../../dist/src/telemetry/index.js';

export function setUserContext() {}
export function setTag() {}
export function setContext() {}
export function addBreadcrumb() {}
