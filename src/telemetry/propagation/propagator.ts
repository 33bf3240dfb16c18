/**
 * One propagator for the layer's tracer provider: W3C `traceparent`/`tracestate` (level 2), Sentry's `sentry-trace`, and one
 * `baggage` header carrying the DSC and the other entries. Extract never throws and never continues a trace from
 * a value that does not parse; inject writes each header once.
 */
import {
  propagation,
  trace,
  TraceFlags,
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  type TraceState as ApiTraceState,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { extractTraceparentData, parseBaggageHeader } from '../common/sentry-core.js';
import { acceptedDsc, configuredOrgId, freezeDsc, isSentryBaggageKey, serializeBaggage } from '../sampling/dsc.js';
import { reportInternalError } from '../common/internal-errors.js';
import { baggageSenderCheck, getOutgoingPermission } from './targets.js';
import { currentTenant } from '../scopes/current-tenant.js';
import { parseTraceStateHeader, SharedTraceState } from '../sampling/shared-trace-state.js';
import { acceptIncomingBaggage, TENANT_BAGGAGE_KEY } from '../scopes/tenant.js';
import { getTraceHead, setIncomingTrace, type Dsc } from '../sampling/trace-head.js';
import { formatTraceParent, parseTraceParent } from './traceparent.js';
import type { TelemetryConfig } from '../common/types.js';

export const TRACEPARENT = 'traceparent';
export const TRACESTATE = 'tracestate';
export const SENTRY_TRACE = 'sentry-trace';
export const BAGGAGE = 'baggage';

/** W3C baggage: at most 180 entries; longer headers than Sentry's 8192 are read only that far. */
const MAX_BAGGAGE_ENTRIES = 180;
const MAX_BAGGAGE_INPUT = 8192;
const VALID_TRACE_ID = /^(?!0{32})[0-9a-f]{32}$/;
const VALID_SPAN_ID = /^(?!0{16})[0-9a-f]{16}$/;

function single(value: string | string[] | undefined): string | undefined {
  if (Array.isArray(value)) return value.length === 1 ? value[0] : undefined;
  return value;
}

function joined(value: string | string[] | undefined, separator: string): string | undefined {
  if (Array.isArray(value)) return value.length ? value.join(separator) : undefined;
  return value;
}

interface ParsedBaggage {
  dsc?: Dsc;
  others: Array<[string, string]>;
}

/** What a request without baggage parses to: most requests, so one shared (and never written) value. */
const NO_BAGGAGE: ParsedBaggage = Object.freeze({ others: Object.freeze([]) as unknown as Array<[string, string]> });

function parseBaggage(header: string | undefined): ParsedBaggage {
  if (!header) return NO_BAGGAGE;
  const object = parseBaggageHeader(header.slice(0, MAX_BAGGAGE_INPUT)) ?? {};
  let dsc: Dsc | undefined;
  const others: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(object)) {
    if (typeof value !== 'string') continue;
    if (isSentryBaggageKey(key)) {
      dsc ??= {};
      dsc[key.slice('sentry-'.length)] = value;
    } else if (others.length < MAX_BAGGAGE_ENTRIES) {
      others.push([key, value]);
    }
  }
  return { dsc, others };
}

/**
 * The `tracestate` to send: our own states as they are (valid and within the limits by construction), any
 * other TraceState (set by other code) reduced to its valid members, so internal or malformed keys never leave.
 */
function outgoingTraceState(state: ApiTraceState | undefined): string | undefined {
  if (!state) return undefined;
  return SharedTraceState.from(state).serialize() || undefined;
}

/** Sentry's `shouldContinueTrace`: a different org, or a missing one under strict continuation, starts anew. */
function orgAllowsContinuation(config: TelemetryConfig, baggageOrgId: string | undefined): boolean {
  const ours = configuredOrgId(config);
  if (baggageOrgId && ours && baggageOrgId !== ours) return false;
  if (config.sampling.strictTraceContinuation && Boolean(baggageOrgId) !== Boolean(ours)) return false;
  return true;
}

function headerKeys(carrier: unknown, name: string): string[] {
  if (typeof carrier !== 'object' || carrier === null || Array.isArray(carrier)) return [];
  return Object.keys(carrier).filter((key) => key.toLowerCase() === name);
}

/** Takes a `baggage` header the caller already put into a plain-object carrier out of it, so only ours is sent. */
function takeCallerBaggage(carrier: unknown): string | undefined {
  const values: string[] = [];
  for (const key of headerKeys(carrier, BAGGAGE)) {
    const record = carrier as Record<string, unknown>;
    const value = record[key];
    if (typeof value === 'string') values.push(value);
    else if (Array.isArray(value)) values.push(...value.filter((item): item is string => typeof item === 'string'));
    delete record[key];
  }
  return values.length ? values.join(',') : undefined;
}

function removeOtherCasings(carrier: unknown, name: string): void {
  for (const key of headerKeys(carrier, name)) {
    if (key !== name) delete (carrier as Record<string, unknown>)[key];
  }
}

export function createPropagator(config: TelemetryConfig): TextMapPropagator {
  const acceptsBaggageFrom = baggageSenderCheck(config.propagation);

  function extractUnsafe(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const baggage = parseBaggage(joined(getter.get(carrier, BAGGAGE), ','));
    let result = context;
    if (baggage.others.length && acceptsBaggageFrom(carrier)) result = acceptIncomingBaggage(result, baggage.others);

    let traceId: string;
    let spanId: string;
    let parentSampled: boolean | undefined;
    let random = false;
    let traceState: SharedTraceState | undefined;
    const w3c = parseTraceParent(single(getter.get(carrier, TRACEPARENT)));
    if (w3c) {
      ({ traceId, spanId, random } = w3c);
      parentSampled = w3c.sampled;
      traceState = parseTraceStateHeader(joined(getter.get(carrier, TRACESTATE), ','));
    } else {
      const sentryTrace = single(getter.get(carrier, SENTRY_TRACE));
      const data = sentryTrace && sentryTrace.length <= 512 ? extractTraceparentData(sentryTrace) : undefined;
      // A sentry-trace without a valid span id names no parent OpenTelemetry could continue from.
      if (!data?.traceId || !data.parentSpanId) return result;
      if (!VALID_TRACE_ID.test(data.traceId) || !VALID_SPAN_ID.test(data.parentSpanId)) return result;
      traceId = data.traceId;
      spanId = data.parentSpanId;
      parentSampled = data.parentSampled;
    }
    if (!orgAllowsContinuation(config, baggage.dsc?.org_id)) return result;

    result = trace.setSpanContext(result, {
      traceId,
      spanId,
      isRemote: true,
      traceFlags: parentSampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
      ...(traceState ? { traceState } : {}),
    });
    const headers = typeof carrier === 'object' && carrier !== null ? (carrier as Record<string, unknown>) : undefined;
    // A DSC that fails validation counts as none. Without one, a `sentry-trace` parent is a Sentry trace whose
    // head sent no DSC: @sentry/core then freezes an empty one (only sample_rand goes on). A `traceparent` parent
    // is a trace @sentry/core would not have continued at all (it reads no traceparent): this service heads the
    // DSC and sends a complete one, never a partial DSC a Sentry SDK downstream would freeze.
    const dsc = acceptedDsc(config, baggage.dsc, traceId) ?? (w3c ? undefined : {});
    return setIncomingTrace(result, {
      traceId,
      spanId,
      parentSampled,
      dsc,
      random,
      ...(headers ? { headers } : {}),
    });
  }

  function injectUnsafe(context: Context, carrier: unknown, setter: TextMapSetter): void {
    if (isTracingSuppressed(context)) return;
    const permission = getOutgoingPermission(trace.getSpan(context)) ?? { trace: true, baggage: true };
    const callerBaggage = parseBaggage(joined(takeCallerBaggage(carrier) ?? permission.callerBaggage, ','));
    const spanContext = trace.getSpanContext(context);
    let dsc: Dsc | undefined;
    if (permission.trace && spanContext && trace.isSpanContextValid(spanContext)) {
      const head = getTraceHead(spanContext);
      const sampled = (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
      for (const name of [TRACEPARENT, TRACESTATE, SENTRY_TRACE]) removeOtherCasings(carrier, name);
      setter.set(
        carrier,
        TRACEPARENT,
        formatTraceParent(spanContext.traceId, spanContext.spanId, sampled, head?.random ?? false),
      );
      const state = outgoingTraceState(spanContext.traceState);
      if (state) setter.set(carrier, TRACESTATE, state);
      setter.set(carrier, SENTRY_TRACE, `${spanContext.traceId}-${spanContext.spanId}-${sampled ? 1 : 0}`);
      if (head) dsc = freezeDsc(head, context);
    }
    const others: Array<[string, string]> = [];
    if (permission.baggage) {
      // The company of the current (authenticated) scope goes downstream as `tenant.id` and replaces any other:
      // the caller's header or the app's baggage may name one only when the scope names none, and an incoming
      // one never reaches the context (tenant.ts). The per-request hooks remove it for hosts outside baggageTargets.
      const tenant = currentTenant(config.sentry.sendDefaultPii);
      const seen = new Set<string>(tenant === undefined ? [] : [TENANT_BAGGAGE_KEY]);
      for (const [key, value] of callerBaggage.others) {
        if (seen.has(key)) continue;
        seen.add(key);
        others.push([key, value]);
      }
      for (const [key, entry] of propagation.getBaggage(context)?.getAllEntries() ?? []) {
        if (!seen.has(key)) others.push([key, entry.value]);
      }
      if (tenant !== undefined) others.push([TENANT_BAGGAGE_KEY, tenant]);
    }
    const header = serializeBaggage(dsc, others);
    if (header) setter.set(carrier, BAGGAGE, header);
  }

  return {
    inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
      try {
        injectUnsafe(context, carrier, setter);
      } catch (error) {
        // Inject runs inside the app's own http.request/fetch call: a failure here sends the request without
        // trace headers rather than failing it.
        reportInternalError('propagation.inject', error);
      }
    },
    extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
      try {
        return extractUnsafe(context, carrier, getter);
      } catch (error) {
        // A header this code failed on continues nothing: the request starts its own trace.
        reportInternalError('propagation.extract', error);
        return context;
      }
    },
    fields(): string[] {
      return [TRACEPARENT, TRACESTATE, SENTRY_TRACE, BAGGAGE];
    },
  };
}
