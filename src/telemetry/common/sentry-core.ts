/**
 * `@sentry/core`, its CommonJS build: the copy `@sentry/node`'s CommonJS build uses (see sentry-node.ts). Types come
 * from `@sentry/core` directly (`import type`); a value missing here fails the type check where it is imported.
 */
import { createRequire } from 'node:module';
import type * as SentryCore from '@sentry/core';

const core = createRequire(import.meta.url)('@sentry/core') as typeof SentryCore;

export const addBreadcrumb: typeof SentryCore.addBreadcrumb = core.addBreadcrumb;
export const addConsoleInstrumentationHandler: typeof SentryCore.addConsoleInstrumentationHandler =
  core.addConsoleInstrumentationHandler;
export const captureException: typeof SentryCore.captureException = core.captureException;
export const captureMessage: typeof SentryCore.captureMessage = core.captureMessage;
export const createEnvelope: typeof SentryCore.createEnvelope = core.createEnvelope;
export const dedupeIntegration: typeof SentryCore.dedupeIntegration = core.dedupeIntegration;
export const extractTraceparentData: typeof SentryCore.extractTraceparentData = core.extractTraceparentData;
export const flush: typeof SentryCore.flush = core.flush;
export const generateTraceId: typeof SentryCore.generateTraceId = core.generateTraceId;
export const getAsyncContextStrategy: typeof SentryCore.getAsyncContextStrategy = core.getAsyncContextStrategy;
export const getClient: typeof SentryCore.getClient = core.getClient;
export const getCurrentScope: typeof SentryCore.getCurrentScope = core.getCurrentScope;
export const getDefaultCurrentScope: typeof SentryCore.getDefaultCurrentScope = core.getDefaultCurrentScope;
export const getDefaultIsolationScope: typeof SentryCore.getDefaultIsolationScope = core.getDefaultIsolationScope;
export const getGlobalScope: typeof SentryCore.getGlobalScope = core.getGlobalScope;
export const getIsolationScope: typeof SentryCore.getIsolationScope = core.getIsolationScope;
export const getMainCarrier: typeof SentryCore.getMainCarrier = core.getMainCarrier;
export const httpRequestToRequestData: typeof SentryCore.httpRequestToRequestData = core.httpRequestToRequestData;
export const isContinuingTrace: typeof SentryCore.isContinuingTrace = core.isContinuingTrace;
export const makeDsn: typeof SentryCore.makeDsn = core.makeDsn;
export const parseBaggageHeader: typeof SentryCore.parseBaggageHeader = core.parseBaggageHeader;
export const propagationContextFromHeaders: typeof SentryCore.propagationContextFromHeaders =
  core.propagationContextFromHeaders;
export const Scope: typeof SentryCore.Scope = core.Scope;
export const SEMANTIC_ATTRIBUTE_SENTRY_OP: typeof SentryCore.SEMANTIC_ATTRIBUTE_SENTRY_OP =
  core.SEMANTIC_ATTRIBUTE_SENTRY_OP;
export const SEMANTIC_ATTRIBUTE_SENTRY_SAMPLE_RATE: typeof SentryCore.SEMANTIC_ATTRIBUTE_SENTRY_SAMPLE_RATE =
  core.SEMANTIC_ATTRIBUTE_SENTRY_SAMPLE_RATE;
export const serializeEnvelope: typeof SentryCore.serializeEnvelope = core.serializeEnvelope;
export const setAsyncContextStrategy: typeof SentryCore.setAsyncContextStrategy = core.setAsyncContextStrategy;
export const setContext: typeof SentryCore.setContext = core.setContext;
export const setTag: typeof SentryCore.setTag = core.setTag;
export const setUser: typeof SentryCore.setUser = core.setUser;
export const stringMatchesSomePattern: typeof SentryCore.stringMatchesSomePattern = core.stringMatchesSomePattern;
export const stripUrlQueryAndFragment: typeof SentryCore.stripUrlQueryAndFragment = core.stripUrlQueryAndFragment;
export const uuid4: typeof SentryCore.uuid4 = core.uuid4;
export const withIsolationScope: typeof SentryCore.withIsolationScope = core.withIsolationScope;
export const withScope: typeof SentryCore.withScope = core.withScope;
export type Scope = SentryCore.Scope;
export type {
  AsyncContextStrategy,
  Client,
  Event,
  Integration,
  LogEnvelope,
  ProfileChunk,
  ProfileChunkEnvelope,
  SdkInfo,
  SerializedLog,
} from '@sentry/core';
