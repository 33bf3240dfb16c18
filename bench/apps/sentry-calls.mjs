// `--import ./bench/apps/sentry-calls.mjs`: the support service with its user, tag, context, breadcrumb and
// capture calls made through `@sentry/node` directly, as an app on "Sentry with your own OpenTelemetry pipeline"
// would write them (bench/anchors/sentry-own-pipeline.mjs). Only the service's imports are redirected.
import { register } from 'node:module';

register('./stand-in-hook.mjs', import.meta.url, {
  data: { name: 'sentry-calls', standIn: new URL('./sentry-calls-api.mjs', import.meta.url).href },
});
