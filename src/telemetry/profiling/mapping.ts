/** How SENTRY_PROFILES_SAMPLE_RATE maps onto Sentry v10/v11's profiling options (docs/profiling.md says why). */
export const PROFILING_MAPPING =
  "profileLifecycle 'trace', each sampled trace profiled with probability SENTRY_PROFILES_SAMPLE_RATE (decided from its trace id)";
