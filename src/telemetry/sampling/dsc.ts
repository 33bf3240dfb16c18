/**
 * Sentry's dynamic sampling context (DSC): built at the head of a trace with Sentry's field order, or taken
 * frozen from upstream, and serialised as the `sentry-*` entries of one `baggage` header. Mirrors
 * `getDynamicSamplingContextFromClient`, `propagationContextFromHeaders` and
 * `dynamicSamplingContextToSentryBaggageHeader` of @sentry/core 11.12.
 */
import type { Context } from '@opentelemetry/api';
import { getRPCMetadata } from '@opentelemetry/core';
import type { TelemetryConfig } from '../common/types.js';
import type { Dsc, TraceHead } from './trace-head.js';

/** Sentry's limit for the whole `baggage` header. */
export const MAX_BAGGAGE_LENGTH = 8192;
const SENTRY_PREFIX = 'sentry-';

/** `orgId` from the configuration wins over the one in the DSN host, as in Sentry's `extractOrgIdFromClient`. */
export function configuredOrgId(config: TelemetryConfig): string | undefined {
  return config.sampling.orgId ?? config.sentry.dsn?.orgId;
}

/** The client part of a head DSC, in Sentry's order; empty values are left out when serialised. */
function clientDsc(config: TelemetryConfig, traceId: string): Dsc {
  const dsc: Dsc = { environment: config.environment || 'production' };
  if (config.release) dsc.release = config.release;
  if (config.sentry.dsn?.publicKey) dsc.public_key = config.sentry.dsn.publicKey;
  dsc.trace_id = traceId;
  const orgId = configuredOrgId(config);
  if (orgId) dsc.org_id = orgId;
  return dsc;
}

/**
 * The DSC of a local trace as it leaves the process, frozen on first use. The head's transaction is
 * `METHOD route` only when a router has named the route by then: a raw URL would split one endpoint into
 * thousands of transactions in Sentry's dynamic sampling.
 */
export function freezeDsc(head: TraceHead, context: Context | undefined): Dsc {
  if (head.frozen) return head.frozen;
  let dsc: Dsc;
  if (head.incomingDsc) {
    dsc = Object.keys(head.incomingDsc).length === 0 ? {} : { ...head.incomingDsc };
    dsc.sample_rand = String(head.sampleRand);
    if (head.localSampleRate !== undefined) dsc.sample_rate = String(head.localSampleRate);
  } else {
    dsc = { ...head.headDsc?.(head) };
    const route = context ? getRPCMetadata(context)?.route : undefined;
    const withTransaction: Dsc = {};
    for (const [key, value] of Object.entries(dsc)) {
      if (key === 'sampled' && route && head.method) withTransaction.transaction = `${head.method} ${route}`;
      withTransaction[key] = value;
    }
    dsc = withTransaction;
  }
  head.frozen = dsc;
  return dsc;
}

/** The head's DSC at decision time (everything but the transaction, which waits for the route). */
export function headDsc(
  config: TelemetryConfig,
  traceId: string,
  sampled: boolean,
  sampleRand: number,
  rate?: number,
): Dsc {
  const dsc = clientDsc(config, traceId);
  dsc.sampled = String(sampled);
  dsc.sample_rand = String(sampleRand);
  if (rate !== undefined) dsc.sample_rate = String(rate);
  return dsc;
}

function encodeEntry(key: string, value: string): string {
  return `${encodeURIComponent(key)}=${encodeURIComponent(value)}`;
}

/**
 * One `baggage` value: the DSC as `sentry-*` entries first (empty values dropped, as Sentry does), then the
 * other entries, each added only while the header stays within 8192 characters.
 */
export function serializeBaggage(
  dsc: Dsc | undefined,
  others: ReadonlyArray<readonly [string, string]>,
): string | undefined {
  let header = '';
  const add = (entry: string): void => {
    const next = header ? `${header},${entry}` : entry;
    if (next.length <= MAX_BAGGAGE_LENGTH) header = next;
  };
  for (const [key, value] of Object.entries(dsc ?? {})) {
    if (value) add(encodeEntry(`${SENTRY_PREFIX}${key}`, value));
  }
  for (const [key, value] of others) {
    if (!key.startsWith(SENTRY_PREFIX)) add(encodeEntry(key, value));
  }
  return header || undefined;
}

const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;
const HEX_32 = /^[0-9a-f]{32}$/;
const PRINTABLE = /^[\x20-\x7e\u00a0-\uffff]*$/;

function decimalIn(value: string, max: number, maxIncluded: boolean): boolean {
  if (!DECIMAL.test(value)) return false;
  const number = Number(value);
  return number >= 0 && (maxIncluded ? number <= max : number < max);
}

const text =
  (limit: number) =>
  (value: string): boolean =>
    value.length <= limit && PRINTABLE.test(value);

/**
 * The keys of Sentry's `DynamicSamplingContext` (@sentry/core 11.12) and what each may hold. Lengths follow
 * what Sentry accepts (environment 64, release 200, transaction 200 characters).
 */
const DSC_FIELDS: Readonly<Record<string, (value: string) => boolean>> = {
  trace_id: (value) => HEX_32.test(value),
  public_key: (value) => /^[0-9a-zA-Z]{1,64}$/.test(value),
  sample_rate: (value) => decimalIn(value, 1, true),
  sample_rand: (value) => decimalIn(value, 1, false),
  sampled: (value) => value === 'true' || value === 'false',
  environment: text(64),
  release: text(200),
  transaction: text(200),
  replay_id: (value) => HEX_32.test(value),
  org_id: (value) => /^\d{1,20}$/.test(value),
};

/**
 * The incoming DSC when it can be trusted as the trace's frozen DSC, else undefined: it is dropped as a whole,
 * never forwarded in part. Every key must be one of Sentry's and every value well-formed (rate in [0, 1],
 * sample_rand in [0, 1), bounded text); its trace id, when given, must be the trace being continued. A
 * `public_key` other than our DSN's belongs to another Sentry project: it is kept only when the DSC names our
 * own organisation (a sibling project heads the trace), because the envelopes of our errors carry this DSC and
 * a foreign key there would attribute them to a project an outside caller chose.
 */
export function acceptedDsc(config: TelemetryConfig, dsc: Dsc | undefined, traceId: string): Dsc | undefined {
  if (!dsc) return undefined;
  for (const key of Object.keys(dsc)) {
    const valid = Object.hasOwn(DSC_FIELDS, key) ? DSC_FIELDS[key] : undefined;
    if (!valid?.(dsc[key] as string)) return undefined;
  }
  if (dsc.trace_id !== undefined && dsc.trace_id !== traceId) return undefined;
  const ourKey = config.sentry.dsn?.publicKey;
  if (dsc.public_key !== undefined && ourKey && dsc.public_key !== ourKey) {
    const ourOrg = configuredOrgId(config);
    if (!ourOrg || dsc.org_id !== ourOrg) return undefined;
  }
  return dsc;
}

export function isSentryBaggageKey(key: string): boolean {
  return key.startsWith(SENTRY_PREFIX);
}
