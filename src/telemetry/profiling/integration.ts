/**
 * The Sentry side of profiling: error events of a profiled trace carry `contexts.profile.profiler_id` and the
 * thread, as Sentry's profiling-node adds them (the integration is listed after sentryTraceLinkIntegration), and each flush or close of the client first cuts the chunk being
 * sampled, so the shutdown's flush sends it within the shutdown budget.
 */
import type { Client, Contexts, Event, Integration } from '@sentry/core';

type ProfileContext = NonNullable<Contexts['profile']>;
import { ATTR_THREAD_ID, ATTR_THREAD_NAME } from '../common/semconv.js';
import { PROFILED_THREAD_ID, PROFILED_THREAD_NAME } from './attributes.js';
import type { ProfilerSession } from './session.js';
import type { TraceLifecycleProcessor } from './trace-lifecycle.js';

export const PROFILING_INTEGRATION_NAME = 'OtelSentryBridgeProfiling';

export function profilingIntegration(
  session: ProfilerSession,
  lifecycle: TraceLifecycleProcessor,
  onClient: (client: Client) => void,
): Integration {
  return {
    name: PROFILING_INTEGRATION_NAME,
    setup(client) {
      onClient(client);
      client.on('flush', () => session.cut());
      client.on('close', () => session.close());
      // After sentry/trace-link.ts's listener, which writes the event's OpenTelemetry trace context there.
      client.on('postprocessEvent', (event: Event) => linkEvent(event, session.profilerId, lifecycle));
    },
  };
}

/** Adds the profile link to an event of a profiled trace, in place (postprocessEvent hands the final event). */
function linkEvent(event: Event, profilerId: string, lifecycle: TraceLifecycleProcessor): void {
  const trace = event.contexts?.trace;
  if (event.type !== undefined || !trace || !lifecycle.wasProfiled(trace.trace_id)) return;
  event.contexts = {
    ...event.contexts,
    // Continuous profiles have no profile_id (the type's required field is the transaction profiles' one);
    // Sentry's profiling-node sends `{ profiler_id }` alone too.
    profile: { profiler_id: profilerId } as unknown as ProfileContext,
    trace: {
      ...trace,
      data: { ...trace.data, [ATTR_THREAD_ID]: PROFILED_THREAD_ID, [ATTR_THREAD_NAME]: PROFILED_THREAD_NAME },
    },
  };
}
