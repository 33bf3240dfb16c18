/**
 * Who receives what, decided where the request is known (the propagator never sees a URL): trace headers and
 * the `sentry-*` baggage go to `tracePropagationTargets`, every other baggage entry only to `baggageTargets`.
 * Incoming non-Sentry baggage is accepted only from peers listed in `baggageAcceptFrom` (none by default), a
 * separate list: the hosts we send a tenant to are not the clients we would believe one from.
 */
import type { Span } from '@opentelemetry/api';
import { peerMatcher } from '../config/baggage-peers.js';
import { matchesSomePattern } from '../common/pattern-match.js';
import type { PropagationConfig } from '../common/types.js';

export interface OutgoingPermission {
  /** traceparent, tracestate, sentry-trace and the sentry-* baggage entries. */
  trace: boolean;
  /** Every other baggage entry (tenant ids and the like). */
  baggage: boolean;
  /** A `baggage` header the caller set on the request, merged into ours so that only one header leaves. */
  callerBaggage?: string;
}

export function permissionFor(url: string, config: PropagationConfig): OutgoingPermission {
  return {
    trace: matchesSomePattern(url, config.tracePropagationTargets),
    baggage: matchesSomePattern(url, config.baggageTargets),
  };
}

/**
 * Whether a carrier's non-Sentry baggage is accepted: only when an HTTP server registered its peer's address and
 * the address is in `baggageAcceptFrom`. A carrier without a known peer (a queue message, a manual extract) names
 * no one who could be allowed.
 */
export function baggageSenderCheck(config: PropagationConfig): (carrier: unknown) => boolean {
  const allowed = peerMatcher(config.baggageAcceptFrom);
  return (carrier) => {
    const peer = peerOf(carrier);
    return peer !== undefined && allowed(peer);
  };
}

// Kept on the objects themselves (symbol properties, invisible to their owners) rather than in WeakMaps: one
// entry per request, and WeakMap entries cost the garbage collector more than the lookup saves.
/** On the outgoing request's span: undici runs its requestHook with the span, right before inject(). */
const OUTGOING = Symbol('otel-sentry-bridge.outgoing-permission');
/** On the incoming request's headers object: the very carrier the HTTP server instrumentation extracts from. */
const PEER = Symbol('otel-sentry-bridge.peer-address');

type WithPermission = { [OUTGOING]?: OutgoingPermission };
type WithPeer = { [PEER]?: string };

export function setOutgoingPermission(span: Span, permission: OutgoingPermission): void {
  (span as WithPermission)[OUTGOING] = permission;
}

export function getOutgoingPermission(span: Span | undefined): OutgoingPermission | undefined {
  return span ? (span as WithPermission)[OUTGOING] : undefined;
}

export function registerPeer(headers: object, address: string): void {
  (headers as WithPeer)[PEER] = address;
}

/** The remote address the carrier arrived from, when an HTTP server registered it. */
export function peerOf(carrier: unknown): string | undefined {
  return typeof carrier === 'object' && carrier !== null ? (carrier as WithPeer)[PEER] : undefined;
}
