/**
 * One Sentry isolation scope per incoming request, as Sentry's `httpIntegration` forks it (request data,
 * transaction name, response status, a trace of its own for errors outside any span), without the tracing half
 * this mode never uses. Sentry's server wrapper also continues a Sentry trace: three more scope clones and
 * AsyncLocalStorage runs, two random UUIDs, and a second extraction of the OpenTelemetry context that the HTTP
 * instrumentation extracts again right after. On the minimal express route of the benchmarks, Sentry's fork ran
 * at 0.80x the raw OpenTelemetry SDK's throughput and this one at 0.89x (9 interleaved runs of 5 s).
 *
 * The scopes are made when something first reads or writes one (the shared storage's deferred fork): a request
 * that never touches a scope costs no clone. Made late, they still hold the request as it arrived.
 *
 * A request is claimed when Node announces it (`http.server.request.start`, just before `emit('request')`) by
 * setting the mark Sentry itself leaves on a request it has forked a scope for, so Sentry's wrapper passes it
 * through wherever it sits in the chain of `emit` wrappers. Sentry's path keeps what this one does not do:
 * capturing request bodies (sendDefaultPii) and release-health sessions; a client with either gets no claim.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import * as Sentry from '../common/sentry-node.js';
import {
  httpRequestToRequestData,
  propagationContextFromHeaders,
  stripUrlQueryAndFragment,
  type Client,
  type Event,
  type Integration,
  type Scope,
} from '../common/sentry-core.js';
import { runWithDeferredScopes, type Scopes } from './shared-storage.js';

/**
 * Sentry's mark on a request it must not fork again (`Symbol.for`, shared by every copy of the SDK), which Sentry
 * only tests for truthiness. A request this integration claims carries the claiming client in it rather than
 * `true`, so our wrapper (and only ours) forks its scopes for it: one property written on every request, not two.
 */
const SENTRY_FORKED = Symbol.for('sentry_http_server_instrumented');

interface ClaimableRequest extends IncomingMessage {
  [SENTRY_FORKED]?: boolean | Client;
}
interface RequestStart {
  request: ClaimableRequest;
  response: ServerResponse;
  server: Server;
}
type Emit = Server['emit'];
type AnyEmit = (this: Server, ...args: unknown[]) => boolean;

/** Clients whose requests take this path (set up with it, and needing nothing only Sentry's path does). */
const leanClients = new WeakSet<Client>();
const wrappedServers = new WeakSet<Server>();

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The request as it arrived, kept in the isolation scope's processing metadata (a function passes Sentry's
 * metadata merge untouched) and turned into Sentry's `normalizedRequest` only for an event that needs it (see
 * `processEvent`). Building it for every request (absolute URL, query string, a copy of the headers, then the
 * scope's deep merge) was the largest part of the fork. What it reads is taken when the request arrives, as
 * Sentry's fork does: routers rewrite `request.url` and body parsers add `request.body` later.
 */
const ARRIVED_REQUEST = 'otelBridgeArrivedRequest';
type ArrivedRequest = () => {
  normalizedRequest: ReturnType<typeof httpRequestToRequestData>;
  ipAddress: string | undefined;
};

/** Expands the arrived request into what requestDataIntegration (after this integration) reads. */
function addArrivedRequest(event: Event): Event {
  const metadata = event.sdkProcessingMetadata;
  const arrived: unknown = metadata?.[ARRIVED_REQUEST];
  if (metadata === undefined || typeof arrived !== 'function') return event;
  delete metadata[ARRIVED_REQUEST];
  const { normalizedRequest, ipAddress } = (arrived as ArrivedRequest)();
  // Data set on the scope meanwhile (an express error handler's own normalisation) is kept.
  metadata.normalizedRequest = { ...normalizedRequest, ...(metadata.normalizedRequest as object | undefined) };
  metadata.ipAddress ??= ipAddress;
  return event;
}

/**
 * The fork of one claimed request. Everything it keeps lives in this one closure context (the arrived request,
 * the response's status, the isolation scope once made): one allocation where a context per helper, a status
 * record and a socket stand-in were five.
 *
 * What the request looks like is taken now, as Sentry's fork takes it: routers rewrite `request.url` and body
 * parsers add `request.body` later, and the scopes may be made late. Sentry's `response` context is written when
 * the response closes (Sentry's fork records it then too), onto the isolation scope once that exists. The
 * response points to this context through its listener, never the other way round: the deferred fork outlives
 * the request in whatever async work the request left behind, and must not keep the response, its request and
 * socket alive.
 */
function forkScopes(
  server: Server,
  emit: AnyEmit,
  request: IncomingMessage,
  response: ServerResponse,
  client: Client,
  args: unknown[] | undefined,
): boolean {
  const { method, url, headers } = request;
  const { 'sentry-trace': sentryTrace, baggage } = headers;
  // Not the socket itself: a scope kept alive by a late timer would keep the closed socket too.
  const socket = request.socket as { encrypted?: boolean; remoteAddress?: string } | undefined;
  const ipAddress = socket?.remoteAddress;
  const encrypted = socket?.encrypted;
  let statusCode: number | undefined;
  let isolationScope: Scope | undefined;
  const arrived: ArrivedRequest = () => ({
    normalizedRequest: httpRequestToRequestData({
      method,
      url,
      headers,
      socket: { encrypted },
    } as unknown as IncomingMessage),
    ipAddress,
  });
  // `on`, not `once`: a response closes once, and `once` would allocate a wrapper per request.
  response.on('close', function (this: ServerResponse) {
    statusCode = this.statusCode;
    isolationScope?.setContext('response', { status_code: statusCode });
  });
  const make = (parent: Scopes): Scopes => {
    const made = parent.isolationScope.clone();
    made.setClient(client);
    made.setSDKProcessingMetadata({ [ARRIVED_REQUEST]: arrived });
    made.setTransactionName(`${(method || 'GET').toUpperCase()} ${stripUrlQueryAndFragment(url || '/')}`);
    if (statusCode !== undefined) made.setContext('response', { status_code: statusCode });
    isolationScope = made;
    // Errors outside any span (an ignored route) still get a trace of their own, or the caller's Sentry trace.
    const scope = parent.scope.clone();
    scope.setPropagationContext(propagationContextFromHeaders(firstHeader(sentryTrace), firstHeader(baggage)));
    return { scope, isolationScope: made };
  };
  return runWithDeferredScopes(make, emitRequest(server, emit, request, response, args));
}

/** Apart from the fork's closures, which outlive the request: this one holds the request and the response. */
function emitRequest(
  server: Server,
  emit: AnyEmit,
  request: IncomingMessage,
  response: ServerResponse,
  args: unknown[] | undefined,
): () => boolean {
  return args ? () => emit.apply(server, args) : () => emit.call(server, 'request', request, response);
}

/**
 * Wrapped once per server and never again: Sentry re-wraps `emit` whenever it is not its own wrapper any more,
 * so a wrapper that did the same would stack a new pair of wrappers on every request.
 */
function wrapServer(server: Server): void {
  if (wrappedServers.has(server)) return;
  wrappedServers.add(server);
  const emit = server.emit as AnyEmit;
  // Named parameters and `arguments` rather than rest args and a closure: every event the server emits passes
  // through here, and `emit.apply(this, arguments)` hands them on without building an array. Node emits a
  // request with exactly these three arguments; any others are handed on too.
  const isolatedEmit = function (
    this: Server,
    event: string | symbol,
    request?: ClaimableRequest,
    response?: ServerResponse,
  ): boolean {
    const client = event === 'request' ? request?.[SENTRY_FORKED] : undefined;
    if (!client || typeof client !== 'object') return emit.apply(this, arguments as unknown as unknown[]);
    const extra = arguments.length === 3 ? undefined : Array.prototype.slice.call(arguments);
    return forkScopes(this, emit, request!, response!, client, extra);
  };
  server.emit = isolatedEmit as Emit;
}

function onRequestStart(message: unknown): void {
  const { request, server } = message as RequestStart;
  const client = Sentry.getClient();
  if (!client || !leanClients.has(client) || request[SENTRY_FORKED]) return;
  request[SENTRY_FORKED] = client;
  wrapServer(server);
}

export interface RequestIsolationOptions {
  /** Release-health sessions, which only Sentry's path records. */
  sessions: boolean;
}

export const REQUEST_ISOLATION_INTEGRATION_NAME = 'OtelRequestIsolation';

export function requestIsolationIntegration(options: RequestIsolationOptions): Integration {
  return {
    name: REQUEST_ISOLATION_INTEGRATION_NAME,
    setupOnce(): void {
      subscribe('http.server.request.start', onRequestStart);
    },
    setup(client: Client): void {
      const capturesBodies = client.getDataCollectionOptions().httpBodies.includes('incomingRequest');
      if (!options.sessions && !capturesBodies) leanClients.add(client);
    },
    // Must come before requestDataIntegration in the client's integrations, which reads normalizedRequest.
    processEvent: addArrivedRequest,
  };
}
