/**
 * Whether SENTRY_PROFILES_SAMPLE_RATE profiles anything here: the rate, the mapping onto Sentry's options, and
 * whether the native profiler loads on this platform and Node ABI (the doctor loads it; the app does only when
 * the rate is above 0).
 */
import { loadNativeProfiler, type ProfilerLoad } from '../../telemetry/profiling/loader.js';
import { PROFILING_MAPPING } from '../../telemetry/profiling/mapping.js';
import type { TelemetryConfig } from '../../telemetry/common/types.js';
import { check, type CheckResult } from './types.js';

export function profilingCheck(config: TelemetryConfig, load: () => ProfilerLoad = loadNativeProfiler): CheckResult {
  const rate = config.sentry.profilesSampleRate ?? 0;
  if (rate <= 0) {
    return check(
      'profiling',
      'ok',
      'profiling off (SENTRY_PROFILES_SAMPLE_RATE unset or 0): the native profiler is not loaded',
    );
  }
  if (config.tracingDisabled) {
    return check(
      'profiling',
      'warn',
      `SENTRY_PROFILES_SAMPLE_RATE=${rate} but tracing is disabled: nothing is profiled`,
      {
        fix: 'Profiles follow sampled traces: unset OTEL_SDK_DISABLED, or set SENTRY_PROFILES_SAMPLE_RATE=0.',
      },
    );
  }
  if (!config.sentry.dsn) {
    return check(
      'profiling',
      'warn',
      `SENTRY_PROFILES_SAMPLE_RATE=${rate} but SENTRY_DSN is not set: profiling stays off`,
      {
        fix: 'Profiles go only to Sentry: set SENTRY_DSN, or set SENTRY_PROFILES_SAMPLE_RATE=0.',
      },
    );
  }
  const loaded = load();
  if (!loaded.ok) {
    return check(
      'profiling',
      'warn',
      `SENTRY_PROFILES_SAMPLE_RATE=${rate}, but the app will run unprofiled: ${loaded.reason}`,
      {
        fix:
          'Install the optional dependency @sentry/node-cpu-profiler (prebuilt for Node 18-26 LTS on linux glibc/musl ' +
          'x64/arm64, macOS and Windows x64), or set SENTRY_PROFILES_SAMPLE_RATE=0 to silence the start-up warning.',
      },
    );
  }
  const traces = config.sampling.tracesSampler ? 'tracesSampler' : String(config.sampling.tracesSampleRate ?? 0);
  return check('profiling', 'ok', `profiling on at ${rate}: ${PROFILING_MAPPING}; native profiler loads`, {
    details: { 'traces sample rate': traces, 'profiled share of all traces': profiledShare(config, rate) },
  });
}

function profiledShare(config: TelemetryConfig, rate: number): string {
  if (config.sampling.tracesSampler) return `${rate} of the traces tracesSampler keeps`;
  return String((config.sampling.tracesSampleRate ?? 0) * rate);
}
