// `--import ./bench/apps/calls-off.mjs`: the support service with its scope and breadcrumb calls turned off, so
// the ingest benchmark can show what they cost each configuration. The service's imports of the layer's public
// module resolve to calls-off-api.mjs instead (only theirs: the layer itself is untouched).
import { register } from 'node:module';

register('./stand-in-hook.mjs', import.meta.url, {
  data: { name: 'calls-off', standIn: new URL('./calls-off-api.mjs', import.meta.url).href },
});
