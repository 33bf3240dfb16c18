/**
 * Sentry's dynamic sampling context (DSC): built at the head of a trace with Sentry's field order, or taken
 * frozen from upstream, and serialised as the `sentry-*` entries of one `baggage` header. Mirrors
 * `getDynamicSamplingContextFromClient`, `propagationContextFromHeaders` and
 * `dynamicSamplingContextToSentryBaggageHeader` of @sentry/core 11.12.
 */
import type { Context } from '@opentelemetry/api';
import { getRPCMetadata } from '@opentelemetry/core';
import type { TelemetryConfig } from './types.js';
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
export function headDsc(config: TelemetryConfig, traceId: string, sampled: boolean, sampleRand: number, rate?: number): Dsc {
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
export function serializeBaggage(dsc: Dsc | undefined, others: ReadonlyArray<readonly [string, string]>): string | undefined {
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

export function isSentryBaggageKey(key: string): boolean {
  return key.startsWith(SENTRY_PREFIX);
}
