// Shared plumbing of the support service's end-to-end tests: start the real service under the layer's
// bootstrap against loopback backends, send API calls, and read traces back as trees.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  closeAfterTest,
  request,
  startApp,
  startFakeSentry,
  startOtlpReceiver,
  type AppProcess,
  type FakeSentry,
  type OtlpReceiver,
  type ReceivedSpan,
  type Response,
} from '../kit/index.js';

export const SERVICE = 'examples/support-service/dist/main.js';

/** The service on an ephemeral loopback port, every trace sampled, short export and retry delays. */
export const SERVICE_TEST_ENV: Readonly<Record<string, string>> = {
  PORT: '0',
  HOST: '127.0.0.1',
  NODE_ENV: 'development',
  SENTRY_TRACES_SAMPLE_RATE: '1',
  OTEL_BSP_SCHEDULE_DELAY: '100',
  ESCALATION_RETRY_INTERVAL_MS: '0',
};
export const KEY_001 = 'dev-key-empresa-001';
export const KEY_002 = 'dev-key-empresa-002';

/** A database file in a fresh temporary folder that does not exist yet (the service creates it). */
export function freshDatabasePath(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), 'support-e2e-')), 'nested', 'support.db');
}

export type Backends = 'sentry' | 'otlp' | 'both' | 'console';

export interface Support {
  app: AppProcess;
  sentry: FakeSentry;
  otlp: OtlpReceiver;
  databasePath: string;
}

/**
 * Starts the service under `--import register` with the given exporter setting. The fake Sentry and the OTLP
 * receiver always run, so a test can also check that a backend that is not configured receives nothing.
 */
export async function startSupport(backends: Backends, env: Record<string, string> = {}): Promise<Support> {
  const sentry = closeAfterTest(await startFakeSentry());
  const otlp = closeAfterTest(await startOtlpReceiver());
  const databasePath = env.DATABASE_PATH ?? freshDatabasePath();
  const telemetry: Record<string, string> = {
    sentry: { SENTRY_DSN: sentry.dsn, TELEMETRY_EXPORTERS: 'sentry' },
    otlp: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, TELEMETRY_EXPORTERS: 'otlp' },
    both: { SENTRY_DSN: sentry.dsn, OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, TELEMETRY_EXPORTERS: 'sentry,otlp' },
    console: { SENTRY_DSN: sentry.dsn, TELEMETRY_EXPORTERS: 'console' },
  }[backends];
  const app = await startApp(SERVICE, {
    env: {
      ...SERVICE_TEST_ENV,
      ...telemetry,
      ...env,
      DATABASE_PATH: databasePath,
    },
  });
  return { app, sentry, otlp, databasePath };
}

export interface IngestBody {
  channel: string;
  text: string;
  external_user_id: string;
}

export interface IngestAnswer {
  status: string;
  ticket_id: string;
  response: string;
  confidence: number;
  escalated: boolean;
}

export function ingest(app: AppProcess, key: string, body: IngestBody | string): Promise<Response> {
  return request(`${app.url}/api/ingest-message`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export async function ingestOk(app: AppProcess, key: string, body: IngestBody): Promise<IngestAnswer> {
  const response = await ingest(app, key, body);
  if (response.status !== 200) throw new Error(`ingest answered ${response.status}: ${response.text}`);
  return response.json as IngestAnswer;
}

export interface TicketView {
  ticket_id: string;
  status: string;
  escalated: boolean;
  category: string;
  priority: string;
  confidence: number;
  interactions: { role: string; text: string }[];
  escalations: { id: number; reason: string; status: string; attempts: number }[];
}

export async function getTicket(app: AppProcess, key: string, ticketId: string): Promise<Response> {
  return request(`${app.url}/api/tickets/${encodeURIComponent(ticketId)}`, { headers: { 'x-api-key': key } });
}

export const isWorkflowOf =
  (ticketId: string) =>
  (span: ReceivedSpan): boolean =>
    span.name === 'invoke_workflow support_pipeline' && span.attributes['support.ticket_id'] === ticketId;

/**
 * Waits until the whole trace of one ingest request has arrived (the server span ends last) and returns it.
 * `source` is the OTLP receiver or the fake Sentry's OTLP endpoint.
 */
export async function ingestTrace(
  source: { waitForSpans: OtlpReceiver['waitForSpans']; spans: ReceivedSpan[] },
  ticketId: string,
): Promise<ReceivedSpan[]> {
  const [workflow] = await source.waitForSpans(isWorkflowOf(ticketId), 15_000);
  const traceId = workflow!.traceId;
  await source.waitForSpans((s) => s.traceId === traceId && s.kindName === 'server', 15_000);
  return source.spans.filter((s) => s.traceId === traceId);
}

export function childrenOf(spans: readonly ReceivedSpan[], parent: ReceivedSpan): ReceivedSpan[] {
  return spans
    .filter((s) => s.parentSpanId === parent.spanId)
    .toSorted((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1));
}

export function descendantsOf(spans: readonly ReceivedSpan[], parent: ReceivedSpan): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const child of childrenOf(spans, parent)) out.push(child, ...descendantsOf(spans, child));
  return out;
}

export function ancestorsOf(spans: readonly ReceivedSpan[], span: ReceivedSpan): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  let current: ReceivedSpan | undefined = span;
  while (current?.parentSpanId !== undefined) {
    const parentId: string = current.parentSpanId;
    current = spans.find((s) => s.spanId === parentId);
    if (current) out.push(current);
  }
  return out;
}

export function only(
  spans: readonly ReceivedSpan[],
  predicate: (s: ReceivedSpan) => boolean,
  what: string,
): ReceivedSpan {
  const found = spans.filter(predicate);
  if (found.length !== 1) {
    throw new Error(
      `expected exactly one ${what}, found ${found.length} among: ${spans.map((s) => s.name).join(', ')}`,
    );
  }
  return found[0]!;
}

/** The business story of one ingest trace, in the form every exporter setting must agree on. */
export interface Story {
  agents: string[];
  resolverChildren: string[];
  workflow: { category: unknown; priority: unknown; confidence: unknown; escalated: unknown };
  businessEvents: string[];
  dbSummaries: string[];
}

export function storyOf(trace: readonly ReceivedSpan[]): Story {
  const workflow = only(trace, (s) => s.name === 'invoke_workflow support_pipeline', 'workflow span');
  const agents = childrenOf(trace, workflow).filter((s) => s.attributes['gen_ai.operation.name'] === 'invoke_agent');
  const resolver = only(agents, (s) => s.name === 'invoke_agent Resolver', 'Resolver agent');
  return {
    agents: agents.map((s) => s.name),
    resolverChildren: childrenOf(trace, resolver).map((s) => s.name),
    workflow: {
      category: workflow.attributes['support.category'],
      priority: workflow.attributes['support.priority'],
      confidence: workflow.attributes['support.confidence'],
      escalated: workflow.attributes['support.escalated'],
    },
    businessEvents: workflow.events
      .map((e) => e.name)
      .filter((n) => n !== 'message' && n !== 'breadcrumb' && n !== 'exception'),
    dbSummaries: [
      ...new Set(
        trace
          .filter((s) => s.attributes['db.system.name'] === 'sqlite')
          .map((s) => String(s.attributes['db.query.summary'])),
      ),
    ].toSorted(),
  };
}
