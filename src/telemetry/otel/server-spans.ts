/**
 * Server spans made on Node's `http.server.request.start` diagnostics channel instead of instrumentation-http's
 * patched `Server.prototype.emit` (TELEMETRY_HTTP_SERVER_SPANS=diagnostics-channel; instrumentation-http then
 * keeps only its client half). The span is the one instrumentation-http makes: its name, kind, status,
 * attributes (server-span-attributes.ts), parent extracted from the headers by the global propagator, the RPC
 * metadata through which express names the route, the layer's hooks (ignored paths, peer registration), and
 * the same instrumentation scope, so that every consumer (Sentry's OTLP ingestion, the processors, queries)
 * reads it alike.
 *
 * A channel subscriber cannot run the request in the span's context: it returns before `emit('request')`. As
 * Sentry v11 does for its scopes (@sentry/core's server-subscription), the subscriber wraps the server's own
 * `emit` once, the first time the server announces a request; the wrapper runs the listeners in the context.
 * `AsyncLocalStorage.enterWith` from the subscriber would need no wrapper but is wrong: it would set the store
 * of the HTTP parser's resource, which outlives the request (keep-alive), so the next request on the socket
 * and everything the parser starts would run in a span that has ended. The request and response emitters are
 * bound to the context as instrumentation-http binds them, so that listeners the handler adds (a body read,
 * `res.on('finish')`) run in it too although Node calls them from the socket's callbacks.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { errorMonitor } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Span,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { RPCType, setRPCMetadata, suppressTracing, type RPCMetadata } from '@opentelemetry/core';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import { ATTR_ERROR_TYPE, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE } from '../common/semconv.js';
import { incomingRequestAttributes, type Component } from './server-span-attributes.js';

/** The hooks of the layer's HTTP instrumentation config that apply to incoming requests. */
export type ServerSpanHooks = Pick<HttpInstrumentationConfig, 'ignoreIncomingRequestHook' | 'requestHook'>;

interface RequestStart {
  server: Server;
}
type Emit = (this: Server, ...args: unknown[]) => boolean;

const INSTRUMENTATION_NAME = '@opentelemetry/instrumentation-http';

/** What the running subscription needs per request; undefined once stopped (wrapped servers pass through). */
interface Active {
  tracer: Tracer;
  hooks: ServerSpanHooks;
  /** The 3.x line's instrumentation (0.300 on) writes `error.type` = the status code on a 5xx server span; 0.223 does not. */
  statusErrorType: boolean;
}
let active: Active | undefined;
const wrappedServers = new WeakSet<Server>();

/** A hook that throws is ignored, as instrumentation-http's `safeExecuteInTheMiddle` ignores it. */
function isIgnored(hooks: ServerSpanHooks, request: IncomingMessage): boolean {
  try {
    return hooks.ignoreIncomingRequestHook?.(request) === true;
  } catch {
    return false;
  }
}

function endWithError(span: Span, error: Error): void {
  span.setAttribute(ATTR_ERROR_TYPE, error.name);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  span.recordException(error);
  span.end();
}

/** instrumentation-http's status rule for a server: 1xx to 4xx leave it unset, anything else is an error. */
function statusOf(statusCode: number): SpanStatusCode {
  return statusCode >= 100 && statusCode < 500 ? SpanStatusCode.UNSET : SpanStatusCode.ERROR;
}

function endOnResponse(
  span: Span,
  request: IncomingMessage,
  response: ServerResponse,
  rpc: RPCMetadata,
  statusErrorType: boolean,
): void {
  const statusCode = response.statusCode;
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, statusCode);
  const route = rpc.type === RPCType.HTTP ? rpc.route : undefined;
  if (route !== undefined) span.setAttribute(ATTR_HTTP_ROUTE, route);
  span.setStatus({ code: statusOf(statusCode) });
  if (statusErrorType && statusCode >= 500 && statusCode < 600) span.setAttribute(ATTR_ERROR_TYPE, String(statusCode));
  if (route) span.updateName(`${request.method || 'GET'} ${route}`);
  span.end();
}

function traceRequest(server: Server, emit: Emit, args: unknown[], state: Active): boolean {
  const request = args[1] as IncomingMessage;
  const response = args[2] as ServerResponse;
  if (isIgnored(state.hooks, request)) {
    return context.with(suppressTracing(context.active()), () => {
      context.bind(context.active(), request);
      context.bind(context.active(), response);
      return emit.apply(server, args);
    });
  }
  const component: Component = server instanceof HttpsServer ? 'https' : 'http';
  const parent = propagation.extract(ROOT_CONTEXT, request.headers);
  const span = state.tracer.startSpan(
    request.method || 'GET',
    { kind: SpanKind.SERVER, attributes: incomingRequestAttributes(request, component) },
    parent,
  );
  const rpc: RPCMetadata = { type: RPCType.HTTP, span };
  const spanContext = setRPCMetadata(trace.setSpan(parent, span), rpc);
  // The span's own listeners need no context: they are added before the emitters are bound.
  let ended = false;
  response.on('close', () => {
    if (ended) return;
    ended = true;
    endOnResponse(span, request, response, rpc, state.statusErrorType);
  });
  response.on(errorMonitor, (error: Error) => {
    if (ended) return;
    ended = true;
    endWithError(span, error);
  });
  return context.with(spanContext, () => {
    context.bind(spanContext, request);
    context.bind(spanContext, response);
    try {
      state.hooks.requestHook?.(span, request);
    } catch {
      // Ignored, as instrumentation-http ignores a throwing hook.
    }
    try {
      return emit.apply(server, args);
    } catch (error) {
      if (!ended) {
        ended = true;
        endWithError(span, error as Error);
      }
      throw error;
    }
  });
}

/** Wrapped once per server: a later wrapper (Sentry's, the request fork's) calls this one. */
function wrapServer(server: Server): void {
  if (wrappedServers.has(server)) return;
  wrappedServers.add(server);
  const emit = server.emit as Emit;
  const tracedEmit = function (this: Server, ...args: unknown[]): boolean {
    const state = active;
    if (args[0] !== 'request' || state === undefined) return emit.apply(this, args);
    return traceRequest(this, emit, args, state);
  };
  server.emit = tracedEmit as Server['emit'];
}

function onRequestStart(message: unknown): void {
  wrapServer((message as RequestStart).server);
}

/**
 * Starts making server spans for every HTTP(S) server that receives a request; returns the stop. The spans take
 * the scope of the instrumentation-http instance in use (`instrumentations`): its version differs between the
 * curated set and the auto-instrumentations' own copy, and the 3.x line's package exports no package.json.
 */
export function startServerSpans(
  provider: TracerProvider,
  hooks: ServerSpanHooks,
  instrumentations: readonly Instrumentation[] = [],
): () => void {
  const http = instrumentations.find((instrumentation) => instrumentation.instrumentationName === INSTRUMENTATION_NAME);
  const version = http?.instrumentationVersion;
  const minor = Number(/^0\.(\d+)\./.exec(version ?? '')?.[1] ?? 0);
  active = { tracer: provider.getTracer(INSTRUMENTATION_NAME, version), hooks, statusErrorType: minor >= 300 };
  subscribe('http.server.request.start', onRequestStart);
  return () => {
    active = undefined;
    unsubscribe('http.server.request.start', onRequestStart);
  };
}
