// Loader hook of calls-off.mjs: the support service's `telemetry/index.js` becomes calls-off-api.mjs.
const TELEMETRY = new URL('../../dist/src/telemetry/', import.meta.url).href;
const API = `${TELEMETRY}index.js`;
const SERVICE = new URL('../../examples/support-service/dist/', import.meta.url).href;
const STAND_IN = new URL('./calls-off-api.mjs', import.meta.url).href;

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (!context.parentURL?.startsWith(SERVICE)) return resolved;
  // Without its query: import-in-the-middle's hook, when it runs before this one, adds one.
  const url = resolved.url.split('?')[0];
  if (url === API) return { ...resolved, url: STAND_IN };
  // A call imported from elsewhere would run for real while the benchmark says the calls are off.
  if (url.startsWith(TELEMETRY)) throw new Error(`calls-off: ${context.parentURL} imports ${url}, not the public API`);
  return resolved;
}
