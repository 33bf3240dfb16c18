// Loader hook of calls-off.mjs: the support service's `telemetry/index.js` becomes calls-off-api.mjs.
const API = new URL('../../dist/src/telemetry/index.js', import.meta.url).href;
const SERVICE = new URL('../../dist/src/support/', import.meta.url).href;
const STAND_IN = new URL('./calls-off-api.mjs', import.meta.url).href;

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  return resolved.url === API && context.parentURL?.startsWith(SERVICE) ? { ...resolved, url: STAND_IN } : resolved;
}
