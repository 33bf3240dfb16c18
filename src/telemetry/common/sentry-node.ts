/**
 * `@sentry/node` as the layer loads it: its CommonJS build, required. Sentry's ES module graph (about 570 files)
 * takes about twice as long to load as the same code required, and importing the CommonJS build from an ES module
 * would lex its entry for export names on every start: the layer names what it uses here instead. The register
 * hook (instrumentation/sentry-cjs-hook.ts) gives the application's own `import '@sentry/node'` this copy too.
 * A name missing here fails the type check of the module that imports it: add it to the list.
 */
import { createRequire } from 'node:module';
import type * as SentryNode from '@sentry/node';

const sentry = createRequire(import.meta.url)('@sentry/node') as typeof SentryNode;

export const addBreadcrumb: typeof SentryNode.addBreadcrumb = sentry.addBreadcrumb;
export const captureException: typeof SentryNode.captureException = sentry.captureException;
export const captureMessage: typeof SentryNode.captureMessage = sentry.captureMessage;
export const childProcessIntegration: typeof SentryNode.childProcessIntegration = sentry.childProcessIntegration;
export const close: typeof SentryNode.close = sentry.close;
export const consoleIntegration: typeof SentryNode.consoleIntegration = sentry.consoleIntegration;
export const contextLinesIntegration: typeof SentryNode.contextLinesIntegration = sentry.contextLinesIntegration;
export const eventFiltersIntegration: typeof SentryNode.eventFiltersIntegration = sentry.eventFiltersIntegration;
export const flush: typeof SentryNode.flush = sentry.flush;
export const functionToStringIntegration: typeof SentryNode.functionToStringIntegration =
  sentry.functionToStringIntegration;
export const getClient: typeof SentryNode.getClient = sentry.getClient;
export const getIsolationScope: typeof SentryNode.getIsolationScope = sentry.getIsolationScope;
export const getOtlpTracesEndpoint: typeof SentryNode.getOtlpTracesEndpoint = sentry.getOtlpTracesEndpoint;
export const httpIntegration: typeof SentryNode.httpIntegration = sentry.httpIntegration;
export const init: typeof SentryNode.init = sentry.init;
export const linkedErrorsIntegration: typeof SentryNode.linkedErrorsIntegration = sentry.linkedErrorsIntegration;
export const makeNodeTransport: typeof SentryNode.makeNodeTransport = sentry.makeNodeTransport;
export const nodeContextIntegration: typeof SentryNode.nodeContextIntegration = sentry.nodeContextIntegration;
export const onUnhandledRejectionIntegration: typeof SentryNode.onUnhandledRejectionIntegration =
  sentry.onUnhandledRejectionIntegration;
export const openTelemetryIntegration: typeof SentryNode.openTelemetryIntegration = sentry.openTelemetryIntegration;
export const requestDataIntegration: typeof SentryNode.requestDataIntegration = sentry.requestDataIntegration;
export const systemErrorIntegration: typeof SentryNode.systemErrorIntegration = sentry.systemErrorIntegration;
export const withIsolationScope: typeof SentryNode.withIsolationScope = sentry.withIsolationScope;
export type { NodeClient, NodeOptions, SeverityLevel } from '@sentry/node';
