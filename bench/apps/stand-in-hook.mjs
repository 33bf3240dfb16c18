// Loader hook of calls-off.mjs and sentry-calls.mjs: the support service's imports of the layer's public module
// (`telemetry/index.js`) resolve to the stand-in named by `register(..., { data: { standIn, name } })`.
const TELEMETRY = new URL('../../dist/src/telemetry/', import.meta.url).href;
const API = `${TELEMETRY}index.js`;
const SERVICE = new URL('../../examples/support-service/dist/', import.meta.url).href;
let standIn;
let name;

export function initialize(data) {
  standIn = data.standIn;
  name = data.name;
}

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (!context.parentURL?.startsWith(SERVICE)) return resolved;
  // Without its query: import-in-the-middle's hook, when it runs before this one, adds one.
  const url = resolved.url.split('?')[0];
  if (url === API) return { ...resolved, url: standIn };
  // A call imported from elsewhere would run for real while the benchmark row says it is replaced.
  if (url.startsWith(TELEMETRY)) throw new Error(`${name}: ${context.parentURL} imports ${url}, not the public API`);
  return resolved;
}
