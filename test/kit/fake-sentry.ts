import { parseEnvelope, type Envelope, type Event, type ProfileChunk } from '@sentry/core';
import { FaultableHttpServer, sendJson, type RecordedRequest } from './faultable-http-server.js';
import type { Fault, RejectedCounts } from './fault.js';
import { mediaType } from './http-body.js';
import {
  decodeOtlpLogsBody,
  decodeOtlpTracesBody,
  otlpEncodingOf,
  otlpLogsSuccessResponse,
  otlpSuccessResponse,
} from './otlp-http-decode.js';
import type { ReceivedLogRecord, ReceivedSpan } from './otlp-normalize.js';
import { DEFAULT_WAIT_MS, describeLogs, describeSpans } from './otlp-receiver.js';
import { checkSentryKey } from './sentry-auth.js';
import { Collection, type Match } from './waiters.js';

export interface FakeSentryOptions {
  /** DSN public key (default `0123456789abcdef0123456789abcdef`). */
  publicKey?: string;
  /** Project id (default `4242`). */
  projectId?: string;
}

export type SentryEndpoint = 'envelope' | 'otlp' | 'otlp-logs' | 'other';

export interface SentryRequestRecord extends RecordedRequest {
  endpoint: SentryEndpoint;
  /** Whether the public key check passed (false also for requests that carried none). */
  authorized: boolean;
}

export interface ReceivedEnvelopeItem {
  type: string;
  headers: Record<string, unknown>;
  /** Parsed JSON for JSON items, raw bytes for items with an explicit length (attachments). */
  payload: unknown;
}

/** One record of a `log` envelope item (Sentry Logs), as Sentry's SDKs serialise it. */
export interface SentryLogItem {
  timestamp: number;
  level: string;
  body: string;
  trace_id?: string;
  severity_number?: number;
  /** Typed values: `{ value, type: 'string' | 'integer' | 'double' | 'boolean' | 'array' }`. */
  attributes?: Record<string, { value: unknown; type: string }>;
}

export interface ReceivedEnvelope {
  headers: Record<string, unknown>;
  items: ReceivedEnvelopeItem[];
  /** The envelope exactly as `parseEnvelope` returned it. */
  raw: Envelope;
}

export interface FakeSentry {
  /** `http://<key>@127.0.0.1:<port>/<project>` */
  readonly dsn: string;
  readonly publicKey: string;
  readonly projectId: string;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** What getOtlpTracesEndpoint(dsn).url returns: `.../api/<project>/integration/otlp/v1/traces/`. */
  readonly otlpTracesUrl: string;
  /** The auth header Sentry's OTLP endpoint needs. */
  readonly otlpTracesHeaders: Record<string, string>;
  /** Sentry's direct OTLP logs endpoint: `.../api/<project>/integration/otlp/v1/logs/` (same auth header). */
  readonly otlpLogsUrl: string;
  readonly envelopes: ReceivedEnvelope[];
  /** Error and message events (`event` items). */
  readonly events: Event[];
  /** `transaction` items (the layer should send none: OTel owns tracing). */
  readonly transactions: Event[];
  /** The records of `log` items (Sentry Logs), in arrival order. */
  readonly logs: SentryLogItem[];
  /** Spans received on the OTLP endpoint, normalised. */
  readonly spans: ReceivedSpan[];
  /** Log records received on the OTLP logs endpoint (a Collector's export), normalised. */
  readonly otlpLogs: ReceivedLogRecord[];
  /** `profile_chunk` items (continuous profiling, format version 2), parsed. */
  readonly profileChunks: ProfileChunk[];
  /** Every request with its headers, including refused ones. */
  readonly requests: SentryRequestRecord[];
  readonly rejected: RejectedCounts;
  waitForEvents(match: Match<Event>, timeoutMs?: number, minCount?: number): Promise<Event[]>;
  waitForLogs(match: Match<SentryLogItem>, timeoutMs?: number, minCount?: number): Promise<SentryLogItem[]>;
  waitForEnvelopes(match: Match<ReceivedEnvelope>, timeoutMs?: number, minCount?: number): Promise<ReceivedEnvelope[]>;
  waitForSpans(match: Match<ReceivedSpan>, timeoutMs?: number, minCount?: number): Promise<ReceivedSpan[]>;
  waitForOtlpLogs(match: Match<ReceivedLogRecord>, timeoutMs?: number, minCount?: number): Promise<ReceivedLogRecord[]>;
  waitForProfileChunks(match: Match<ProfileChunk>, timeoutMs?: number, minCount?: number): Promise<ProfileChunk[]>;
  waitForRequests(
    match: Match<SentryRequestRecord>,
    timeoutMs?: number,
    minCount?: number,
  ): Promise<SentryRequestRecord[]>;
  /**
   * Switches the fault mode for the whole server, or with `endpoint` for one endpoint only (e.g. OTLP answers 429
   * while envelopes go through). `down` always takes the whole server down.
   */
  setFault(fault: Fault & { endpoint?: 'envelope' | 'otlp' | 'otlp-logs' }): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

function describeEvents(events: readonly Event[]): string {
  const list = events
    .slice(0, 10)
    .map((event) => event.exception?.values?.[0]?.value ?? event.message ?? event.event_id);
  return `${events.length} event(s)${list.length ? `: ${list.map((item) => JSON.stringify(item)).join(', ')}` : ''}`;
}

const BINARY_ITEM_TYPES = new Set(['attachment', 'replay_recording']);

function toItems(envelope: Envelope): ReceivedEnvelopeItem[] {
  return envelope[1].map(([headers, payload]) => {
    const type = String(headers.type);
    let value: unknown = payload;
    // parseEnvelope returns bytes for every item with an explicit length, JSON ones included (Relay allows both).
    if (payload instanceof Uint8Array && !BINARY_ITEM_TYPES.has(type)) {
      try {
        value = JSON.parse(Buffer.from(payload).toString('utf8')) as unknown;
      } catch {
        value = payload;
      }
    }
    return { type, headers: headers as Record<string, unknown>, payload: value };
  });
}

/** Starts an HTTP server on 127.0.0.1 that speaks Sentry's ingest protocol (envelopes and OTLP traces). */
export async function startFakeSentry(options: FakeSentryOptions = {}): Promise<FakeSentry> {
  const publicKey = options.publicKey ?? '0123456789abcdef0123456789abcdef';
  const projectId = options.projectId ?? '4242';
  const envelopePath = `/api/${projectId}/envelope/`;
  const otlpPath = `/api/${projectId}/integration/otlp/v1/traces/`;
  const otlpLogsPath = `/api/${projectId}/integration/otlp/v1/logs/`;

  const endpointOf = (path: string): SentryEndpoint => {
    if (path === envelopePath) return 'envelope';
    if (path === otlpPath || `${path}/` === otlpPath) return 'otlp';
    return path === otlpLogsPath || `${path}/` === otlpLogsPath ? 'otlp-logs' : 'other';
  };

  const envelopes = new Collection<ReceivedEnvelope>();
  const profileChunks = new Collection<ProfileChunk>();
  const events = new Collection<Event>();
  const transactions: Event[] = [];
  const logs = new Collection<SentryLogItem>();
  const spans = new Collection<ReceivedSpan>();
  const otlpLogs = new Collection<ReceivedLogRecord>();
  const requests = new Collection<SentryRequestRecord>();

  const server = new FaultableHttpServer(
    ({ req, res, record, body }) => {
      const current = record as SentryRequestRecord;
      if (current.endpoint === 'other') {
        // Sentry answers an unknown project with 403 and unknown routes with 404; tests only need "not accepted".
        const otherProject = /^\/api\/[^/]+\/(envelope|integration)\//.test(record.path);
        return sendJson(res, otherProject ? 403 : 404, { detail: otherProject ? 'invalid project' : 'not found' });
      }
      if (req.method !== 'POST') return sendJson(res, 405, { detail: 'method not allowed' });
      // Sentry's OTLP endpoint takes the key in X-Sentry-Auth only; the envelope endpoint also from the query.
      const auth = checkSentryKey(
        req.headers,
        record.query,
        publicKey,
        current.endpoint === 'envelope' ? ['header', 'query'] : ['header'],
      );
      current.authorized = auth.ok;
      if (!auth.ok) return sendJson(res, 401, { detail: auth.reason });

      if (current.endpoint === 'envelope') {
        let raw: Envelope;
        try {
          raw = parseEnvelope(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
        } catch (error) {
          return sendJson(res, 400, { detail: `invalid envelope: ${String(error)}` });
        }
        const envelope: ReceivedEnvelope = { headers: raw[0] as Record<string, unknown>, items: toItems(raw), raw };
        const eventItems = envelope.items.filter((item) => item.type === 'event').map((item) => item.payload as Event);
        transactions.push(
          ...envelope.items.filter((item) => item.type === 'transaction').map((item) => item.payload as Event),
        );
        const logItems = envelope.items
          .filter((item) => item.type === 'log')
          .flatMap((item) => (item.payload as { items?: SentryLogItem[] } | undefined)?.items ?? []);
        envelopes.push(envelope);
        events.push(...eventItems);
        logs.push(...logItems);
        profileChunks.push(
          ...envelope.items.filter((item) => item.type === 'profile_chunk').map((item) => item.payload as ProfileChunk),
        );
        return sendJson(res, 200, { id: envelope.headers['event_id'] ?? eventItems[0]?.event_id ?? null });
      }

      const encoding = otlpEncodingOf(mediaType(record.contentType));
      if (!encoding)
        return sendJson(res, 415, { detail: `unsupported content-type: ${record.contentType ?? '(none)'}` });
      if (current.endpoint === 'otlp-logs') {
        let records: ReceivedLogRecord[];
        try {
          records = decodeOtlpLogsBody(body, encoding);
        } catch (error) {
          return sendJson(res, 400, { detail: `malformed OTLP ${encoding}: ${String(error)}` });
        }
        otlpLogs.push(...records);
        const reply = otlpLogsSuccessResponse(encoding);
        res.writeHead(200, { 'content-type': reply.contentType });
        res.end(reply.body);
        return;
      }
      let decoded: ReceivedSpan[];
      try {
        decoded = decodeOtlpTracesBody(body, encoding);
      } catch (error) {
        return sendJson(res, 400, { detail: `malformed OTLP ${encoding}: ${String(error)}` });
      }
      spans.push(...decoded);
      const reply = otlpSuccessResponse(encoding);
      res.writeHead(200, { 'content-type': reply.contentType });
      res.end(reply.body);
    },
    (record) => requests.push(Object.assign(record, { endpoint: endpointOf(record.path), authorized: false })),
    () => requests.notify(),
  );
  const port = await server.listen();
  const url = `http://127.0.0.1:${port}`;

  return {
    dsn: `http://${publicKey}@127.0.0.1:${port}/${projectId}`,
    publicKey,
    projectId,
    port,
    url,
    otlpTracesUrl: `${url}${otlpPath}`,
    otlpTracesHeaders: { 'X-Sentry-Auth': `Sentry sentry_version=7, sentry_key=${publicKey}` },
    otlpLogsUrl: `${url}${otlpLogsPath}`,
    envelopes: envelopes.items,
    events: events.items,
    transactions,
    logs: logs.items,
    spans: spans.items,
    otlpLogs: otlpLogs.items,
    profileChunks: profileChunks.items,
    requests: requests.items,
    rejected: server.rejected,
    waitForEvents: (match, timeoutMs = DEFAULT_WAIT_MS, minCount = 1) =>
      events.waitFor(match, timeoutMs, minCount, describeEvents),
    waitForLogs: (match, timeoutMs = DEFAULT_WAIT_MS, minCount = 1) =>
      logs.waitFor(
        match,
        timeoutMs,
        minCount,
        (items) =>
          `${items.length} log record(s)${
            items.length
              ? `: ${items
                  .slice(0, 20)
                  .map((l) => JSON.stringify(l.body))
                  .join(', ')}`
              : ''
          }`,
      ),
    waitForEnvelopes: (match, timeoutMs = DEFAULT_WAIT_MS, minCount = 1) =>
      envelopes.waitFor(match, timeoutMs, minCount, (items) => `${items.length} envelope(s)`),
    waitForSpans: (match, timeoutMs = DEFAULT_WAIT_MS, minCount = 1) =>
      spans.waitFor(match, timeoutMs, minCount, describeSpans),
    waitForOtlpLogs: (match, timeoutMs = DEFAULT_WAIT_MS, minCount = 1) =>
      otlpLogs.waitFor(match, timeoutMs, minCount, describeLogs),
    waitForProfileChunks: (match, timeoutMs = DEFAULT_WAIT_MS, minCount = 1) =>
      profileChunks.waitFor(match, timeoutMs, minCount, (items) => `${items.length} profile chunk(s)`),
    waitForRequests: (match, timeoutMs = DEFAULT_WAIT_MS, minCount = 1) =>
      requests.waitFor(
        match,
        timeoutMs,
        minCount,
        (items) =>
          `${items.length} request(s): ${items.map((r) => `${r.method} ${r.path} ${r.status ?? '-'}`).join(', ')}`,
      ),
    setFault: ({ endpoint, ...fault }) => {
      if (endpoint !== undefined && fault.mode === 'down') {
        return Promise.reject(new Error('down stops the whole server; it cannot be limited to one endpoint'));
      }
      return server.setFault(
        fault,
        endpoint === undefined ? undefined : (record) => endpointOf(record.path) === endpoint,
      );
    },
    reset: () => {
      envelopes.clear();
      profileChunks.clear();
      events.clear();
      transactions.length = 0;
      logs.clear();
      spans.clear();
      otlpLogs.clear();
      requests.clear();
    },
    close: () => server.close(),
  };
}
