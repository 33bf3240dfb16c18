/**
 * The Sentry-semantics OpenTelemetry sampler: one decision per trace, made where Sentry would make it (roots
 * and children of remote parents) with Sentry's rules (tracesSampler, tracesSampleRate, inherited decisions,
 * sample_rand), recorded so that every exporter and every downstream service sees the same decision.
 */
import {
  SpanKind,
  TraceFlags,
  trace,
  type Attributes,
  type Context,
  type Link,
  type SpanContext,
  type TraceState as ApiTraceState,
} from '@opentelemetry/api';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace';
import { headDsc } from './dsc.js';
import { reportInternalError } from '../common/internal-errors.js';
import { pathIsIgnored } from '../common/pattern-match.js';
import {
  isValidRandomValue,
  randomValueFromSampleRand,
  randomValueFromTraceId,
  sampleRandFromRandomValue,
  sampleRandFromTraceId,
  thresholdForRate,
} from './sample-rand.js';
import { redactorFor, type Redactor } from '../redaction/redactor.js';
import { scrubHeaders } from '../redaction/scrub-headers.js';
import {
  ATTR_HTTP_METHOD,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_TARGET,
  ATTR_HTTP_URL,
  ATTR_URL_FULL,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
} from '../common/semconv.js';
import { ATTR_SENTRY_SAMPLE_RATE } from '../common/sentry-attributes.js';
import { SharedTraceState } from './shared-trace-state.js';
import {
  attachTraceHead,
  getIncomingTrace,
  getTraceHead,
  type Dsc,
  type IncomingTrace,
  type TraceHead,
} from './trace-head.js';
import type { SamplingContext, TelemetryConfig } from '../common/types.js';

/** Sentry's span attribute for the rate this service applied. */

/** Sentry's `parseSampleRate`: booleans are 0/1, numbers and numeric strings must lie in [0, 1]. */
export function parseSampleRate(value: unknown): number | undefined {
  if (typeof value === 'boolean') return Number(value);
  const rate = typeof value === 'string' ? Number.parseFloat(value) : value;
  if (typeof rate !== 'number' || Number.isNaN(rate) || rate < 0 || rate > 1) return undefined;
  return rate;
}

/** `ot=` sub-keys of OpenTelemetry's tracestate entry, kept apart from `th` and `rv`, which are rewritten here. */
function otherOtFields(traceState: ApiTraceState | undefined): string[] {
  const ot = traceState?.get('ot');
  if (!ot || ot.length > 256) return [];
  return ot.split(';').filter((field) => field !== '' && !field.startsWith('th:') && !field.startsWith('rv:'));
}

function parseRandomValue(traceState: ApiTraceState | undefined): bigint | undefined {
  const ot = traceState?.get('ot');
  if (!ot || ot.length > 256) return undefined;
  for (const field of ot.split(';')) {
    if (field.startsWith('rv:') && /^rv:[0-9a-f]{14}$/.test(field)) return BigInt(`0x${field.slice(3)}`);
  }
  return undefined;
}

/**
 * An upstream `ot=th:` field and its threshold: 1 to 14 hex digits, the missing ones zeros (OpenTelemetry's
 * probability sampling). Undefined when absent or malformed.
 */
function parseThreshold(traceState: ApiTraceState | undefined): { field: string; threshold: bigint } | undefined {
  const ot = traceState?.get('ot');
  if (!ot || ot.length > 256) return undefined;
  for (const field of ot.split(';')) {
    if (/^th:[0-9a-f]{1,14}$/.test(field)) return { field, threshold: BigInt(`0x${field.slice(3).padEnd(14, '0')}`) };
  }
  return undefined;
}

/** The longest `ot` value a tracestate member may carry. */
const MAX_OT_LENGTH = 256;

function serializeTh(threshold: bigint): string {
  if (threshold === 0n) return '0';
  return threshold.toString(16).padStart(14, '0').replace(/0+$/, '');
}

/**
 * What a rate puts into a decision (its OpenTelemetry threshold and `th:` field, and the `sentry.sample_rate`
 * attribute), remembered for the last rate seen: a service applies one rate almost always. The attributes are
 * read-only (the tracer copies them onto the span), so every root span shares them.
 */
interface RateFields {
  readonly rate: number;
  readonly threshold: bigint;
  readonly thField: string;
  /** A new trace's tracestate up to its random value, `ot=th:...;rv:`: one concatenation per root span. */
  readonly wireWithRv: string;
  readonly attributes: Attributes;
  /** The decisions a rate applied here makes (`decide`), shared: the sampler only reads them. */
  readonly sampled: Resolution;
  readonly dropped: Resolution;
}
let lastRate: RateFields | undefined;
function rateFields(rate: number): RateFields {
  if (lastRate?.rate !== rate) {
    const threshold = thresholdForRate(rate);
    const thField = `th:${serializeTh(threshold)}`;
    lastRate = {
      rate,
      threshold,
      thField,
      wireWithRv: `ot=${thField};rv:`,
      attributes: Object.freeze({ [ATTR_SENTRY_SAMPLE_RATE]: rate }),
      sampled: Object.freeze({ sampled: true, localRate: rate }),
      dropped: Object.freeze({ sampled: false, localRate: rate }),
    };
  }
  return lastRate;
}
const NO_ATTRIBUTES: Attributes = Object.freeze({});
// A local child's result carries only the decision, and the tracer only reads it: one object each, not one per span.
const FOLLOW_SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED });
const FOLLOW_DROPPED: SamplingResult = Object.freeze({ decision: SamplingDecision.NOT_RECORD });

/** The attribute under `key`, else under the older convention's `legacyKey`, when it is a non-empty string. */
function stringAttribute(attributes: Attributes, key: string, legacyKey?: string): string | undefined {
  const value = attributes[key];
  if (typeof value === 'string' && value !== '') return value;
  return legacyKey === undefined ? undefined : stringAttribute(attributes, legacyKey);
}

/** `url.path` at span start (stable HTTP conventions), else the path part of the older `http.target`. */
export function requestPath(attributes: Attributes): string | undefined {
  const path = stringAttribute(attributes, ATTR_URL_PATH);
  if (path) return path;
  const target = stringAttribute(attributes, ATTR_HTTP_TARGET);
  if (target === undefined) return undefined;
  // Not split(): an array and a string for every root span, where the query is usually absent.
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}

interface Resolution {
  readonly sampled: boolean;
  /** The rate applied here, when Sentry would record it (`localSampleRateWasApplied`). */
  readonly localRate?: number;
}
const NOT_SAMPLED: Resolution = Object.freeze({ sampled: false });
const INHERITED_SAMPLED: Resolution = Object.freeze({ sampled: true });

/**
 * Sentry's `sampleSpan` + `resolveSampleRate`, with the same fall-backs for a throwing or invalid sampler. The
 * sampling context is built only for a `tracesSampler`: a fixed rate never reads it.
 */
function decide(
  config: TelemetryConfig,
  parentSampled: boolean | undefined,
  sampleRand: number,
  samplingContext: (() => Omit<SamplingContext, 'inheritOrSampleWith'>) | undefined,
): Resolution {
  const { tracesSampler, tracesSampleRate } = config.sampling;
  if (tracesSampler === undefined && tracesSampleRate === undefined) return NOT_SAMPLED;
  let resolved: [unknown, boolean] | undefined;
  if (tracesSampler && samplingContext) {
    try {
      const context = samplingContext();
      resolved = [
        tracesSampler({
          ...context,
          inheritOrSampleWith: (fallback) => {
            if (typeof context.parentSampleRate === 'number') return context.parentSampleRate;
            if (typeof context.parentSampled === 'boolean') return Number(context.parentSampled);
            return fallback;
          },
        }),
        true,
      ];
    } catch (error) {
      // Sentry's rule for a throwing tracesSampler: the parent's decision, else the rate. The user's bug is counted.
      reportInternalError('sampling.tracesSampler', error);
      resolved = undefined;
    }
  }
  if (!resolved) {
    if (parentSampled !== undefined) resolved = [parentSampled, false];
    else if (tracesSampleRate !== undefined) resolved = [tracesSampleRate, true];
    else return NOT_SAMPLED;
  }
  const [rawRate, local] = resolved;
  const rate = parseSampleRate(rawRate);
  if (rate === undefined) return NOT_SAMPLED;
  // Every root span decides here: one of a few shared results rather than an object each.
  if (!local) return rate && sampleRand < rate ? INHERITED_SAMPLED : NOT_SAMPLED;
  const fields = rateFields(rate);
  return rate && sampleRand < rate ? fields.sampled : fields.dropped;
}

/** Sentry's `getSampleRandFromTraceparentAndDsc`, with this trace's randomness `u` where Sentry calls Math.random. */
function incomingSampleRand(dsc: Dsc, parentSampled: boolean | undefined, u: number): number {
  const fromBaggage = parseSampleRate(dsc.sample_rand);
  // The DSC was validated in extract (sample_rand in [0, 1), rate in [0, 1]): what is left is Sentry's derivation.
  if (fromBaggage !== undefined) return fromBaggage;
  const rate = parseSampleRate(dsc.sample_rate);
  if (rate && parentSampled !== undefined) return parentSampled ? u * rate : rate + u * (1 - rate);
  return u;
}

function samplingContextFor(
  spanName: string,
  spanKind: SpanKind,
  attributes: Attributes,
  incoming: IncomingTrace | undefined,
  parentSampled: boolean | undefined,
  redactor: Redactor,
): Omit<SamplingContext, 'inheritOrSampleWith'> {
  const method = stringAttribute(attributes, ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_METHOD);
  const path = requestPath(attributes);
  const isServer = spanKind === SpanKind.SERVER && method !== undefined && path !== undefined;
  const context: Omit<SamplingContext, 'inheritOrSampleWith'> = {
    // At span start the HTTP server span is only `GET`: show what Sentry's SDK shows, `METHOD path`.
    name: isServer ? `${method} ${path}` : spanName,
    attributes,
    parentSampled,
    parentSampleRate: parseSampleRate(incoming?.dsc?.sample_rate),
  };
  if (isServer) {
    const query = stringAttribute(attributes, ATTR_URL_QUERY)?.replace(/^\?/, '');
    const url = stringAttribute(attributes, ATTR_URL_FULL, ATTR_HTTP_URL);
    context.normalizedRequest = {
      method,
      ...(url ? { url } : {}),
      ...(query ? { query_string: query } : {}),
      ...(incoming?.headers ? { headers: scrubHeaders(incoming.headers, redactor) } : {}),
    };
  }
  return context;
}

export function createSampler(config: TelemetryConfig): Sampler {
  // One function per sampler, not a closure per root span: the head carries what it needs.
  const headDscOf = (head: TraceHead): Dsc =>
    headDsc(config, head.traceId, head.sampled, head.sampleRand, head.localSampleRate);
  const redactor = redactorFor(config);
  return {
    shouldSample(
      context: Context,
      traceId: string,
      spanName: string,
      spanKind: SpanKind,
      attributes: Attributes,
      _links: Link[],
    ): SamplingResult {
      const parent: SpanContext | undefined = trace.getSpanContext(context);
      const parentValid = parent !== undefined && trace.isSpanContextValid(parent);
      if (parentValid && !parent.isRemote) {
        // Local children follow the decision of their trace; the tracer hands them the parent's TraceState.
        if ((parent.traceFlags & TraceFlags.SAMPLED) !== TraceFlags.SAMPLED) return FOLLOW_DROPPED;
        return (getTraceHead(parent)?.sampled ?? true) ? FOLLOW_SAMPLED : FOLLOW_DROPPED;
      }

      const incoming = parentValid ? getIncomingTrace(context, parent) : undefined;
      const parentSampled = parentValid
        ? incoming
          ? incoming.parentSampled
          : (parent.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED
        : undefined;
      const upstreamRv = parentValid ? parseRandomValue(parent.traceState) : undefined;
      const u = upstreamRv === undefined ? sampleRandFromTraceId(traceId) : sampleRandFromRandomValue(upstreamRv);
      // Undefined when this service heads the trace's DSC: a new trace, or a parent that brought no Sentry DSC.
      const dsc = parentValid ? incoming?.dsc : undefined;
      const sampleRand = dsc ? incomingSampleRand(dsc, parentSampled, u) : u;

      const path = requestPath(attributes);
      const ignored =
        spanKind === SpanKind.SERVER && path !== undefined && pathIsIgnored(path, config.sampling.ignoreSpans);
      // Only a tracesSampler reads the sampling context: without one, no closure per root span.
      const samplingContext = config.sampling.tracesSampler
        ? (): Omit<SamplingContext, 'inheritOrSampleWith'> =>
            samplingContextFor(spanName, spanKind, attributes, incoming, parentSampled, redactor)
        : undefined;
      // Health checks are never sampled and never reach tracesSampler: no spans, whatever the rate.
      const resolution: Resolution = ignored ? NOT_SAMPLED : decide(config, parentSampled, sampleRand, samplingContext);

      // OpenTelemetry's view of the same randomness: when sample_rand did not come from R (a browser drew it, or
      // Sentry derived it from an upstream rate), rv is re-derived from it so OTel services decide alike.
      // The trace id's own R (the common case) stays a string until a threshold below 1 needs it as a number.
      const fromTraceId = upstreamRv === undefined && sampleRand === u;
      const rv = fromTraceId ? undefined : sampleRand === u ? upstreamRv : randomValueFromSampleRand(sampleRand);
      const effectiveRate = resolution.localRate ?? parseSampleRate(dsc?.sample_rate);
      // Built by concatenation: a root span of every request passes here, and an array joined was its largest cost.
      let ot = '';
      // A new trace's wire form when its rv is the trace id's own: `ot=th:..;rv:` and the digits, not four strings.
      let rateWithRv: RateFields | undefined;
      // An inherited decision passes an upstream OpenTelemetry threshold on unchanged (parent-based samplers
      // propagate `th`, so services further down keep the adjusted count); a rate applied here writes its own.
      const upstreamTh =
        parentValid && resolution.sampled && resolution.localRate === undefined
          ? parseThreshold(parent.traceState)
          : undefined;
      if (
        upstreamTh &&
        (upstreamTh.threshold === 0n || upstreamTh.threshold <= (rv ?? randomValueFromTraceId(traceId)))
      ) {
        ot = upstreamTh.field;
      } else if (resolution.sampled && effectiveRate !== undefined && effectiveRate > 0) {
        const fields = rateFields(effectiveRate);
        if (fields.threshold === 0n || fields.threshold <= (rv ?? randomValueFromTraceId(traceId))) {
          ot = fields.thField;
          rateWithRv = fields;
        }
      }
      // From the trace id (the common case), rv is its last 14 hex digits: no BigInt formatting needed.
      const rvDigits =
        rv === undefined
          ? traceId.slice(-14).toLowerCase()
          : isValidRandomValue(rv)
            ? rv.toString(16).padStart(14, '0')
            : '';
      // A new trace has no other entry, and its `ot` holds only th and rv, valid by construction: its wire form
      // is known without parsing, and is built in one concatenation. An upstream state takes `ot` first and
      // keeps at most 32 members.
      let traceState: ApiTraceState;
      if (!parentValid) {
        let wire: string;
        if (rvDigits === '') wire = ot === '' ? '' : `ot=${ot}`;
        else if (rateWithRv !== undefined) wire = `${rateWithRv.wireWithRv}${rvDigits}`;
        else wire = ot === '' ? `ot=rv:${rvDigits}` : `ot=${ot};rv:${rvDigits}`;
        traceState = new SharedTraceState(wire);
      } else {
        if (rvDigits !== '') ot = ot === '' ? `rv:${rvDigits}` : `${ot};rv:${rvDigits}`;
        for (const field of otherOtFields(parent.traceState)) {
          const next = ot === '' ? field : `${ot};${field}`;
          if (next.length <= MAX_OT_LENGTH) ot = next;
        }
        if (parent.traceState) {
          const upstream = SharedTraceState.from(parent.traceState);
          traceState = ot === '' ? upstream.unset('ot') : upstream.set('ot', ot);
        } else {
          traceState = new SharedTraceState(ot === '' ? '' : `ot=${ot}`);
        }
      }

      const method = stringAttribute(attributes, ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_METHOD);
      attachTraceHead(traceState, {
        sampled: resolution.sampled,
        sampleRand,
        localSampleRate: resolution.localRate,
        incomingDsc: dsc,
        traceId,
        headDsc: dsc ? undefined : headDscOf,
        method: spanKind === SpanKind.SERVER ? method : undefined,
        random: parentValid ? (incoming?.random ?? false) : true,
      });
      return {
        decision: resolution.sampled ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD,
        attributes: resolution.localRate === undefined ? NO_ATTRIBUTES : rateFields(resolution.localRate).attributes,
        traceState,
      };
    },
    toString(): string {
      return 'SentrySemanticsSampler';
    },
  };
}
