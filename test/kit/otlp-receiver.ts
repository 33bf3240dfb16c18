import { FaultableHttpServer, sendText, type RecordedRequest } from './faultable-http-server.js';
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
import { Collection, type Match } from './waiters.js';

export interface OtlpReceiverOptions {
  /** Path of the traces endpoint (default `/v1/traces`). */
  tracesPath?: string;
  /** Path of the logs endpoint (default `/v1/logs`). */
  logsPath?: string;
}

export interface OtlpRequestRecord extends RecordedRequest {
  /** Spans decoded from this request (empty when rejected by a fault or malformed). */
  spanCount: number;
  /** Log records decoded from this request (same remark). */
  logCount: number;
}

export interface OtlpReceiver {
  /** Base URL, e.g. `http://127.0.0.1:4318` (set OTEL_EXPORTER_OTLP_ENDPOINT to this). */
  readonly url: string;
  /** Full traces URL, e.g. `http://127.0.0.1:4318/v1/traces` (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT). */
  readonly tracesUrl: string;
  readonly port: number;
  /** Full logs URL, e.g. `http://127.0.0.1:4318/v1/logs` (OTEL_EXPORTER_OTLP_LOGS_ENDPOINT). */
  readonly logsUrl: string;
  /** Spans accepted (answered 200), in arrival order. */
  readonly spans: ReceivedSpan[];
  /** Log records accepted (answered 200), in arrival order. */
  readonly logs: ReceivedLogRecord[];
  /** Every request that reached the server, whatever the fault mode. */
  readonly requests: OtlpRequestRecord[];
  readonly rejected: RejectedCounts;
  waitForSpans(match: Match<ReceivedSpan>, timeoutMs?: number, minCount?: number): Promise<ReceivedSpan[]>;
  waitForLogs(match: Match<ReceivedLogRecord>, timeoutMs?: number, minCount?: number): Promise<ReceivedLogRecord[]>;
  waitForRequests(match: Match<OtlpRequestRecord>, timeoutMs?: number, minCount?: number): Promise<OtlpRequestRecord[]>;
  setFault(fault: Fault): Promise<void>;
  /** Forgets received spans, log records and requests (fault counters stay). */
  reset(): void;
  close(): Promise<void>;
}

export const DEFAULT_WAIT_MS = 10_000;

export function describeLogs(records: readonly ReceivedLogRecord[]): string {
  const bodies = records.slice(0, 20).map((record) => JSON.stringify(record.body));
  return `${records.length} log record(s)${bodies.length ? `: ${bodies.join(', ')}` : ''}${records.length > 20 ? ', ...' : ''}`;
}

export function describeSpans(spans: readonly ReceivedSpan[]): string {
  const names = spans.slice(0, 20).map((span) => `${span.kindName} "${span.name}"`);
  return `${spans.length} span(s)${names.length ? `: ${names.join(', ')}` : ''}${spans.length > 20 ? ', ...' : ''}`;
}

/** Starts an OTLP/HTTP traces and logs receiver on 127.0.0.1 (protobuf and JSON, gzip or not). */
export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const tracesPath = options.tracesPath ?? '/v1/traces';
  const logsPath = options.logsPath ?? '/v1/logs';
  const spans = new Collection<ReceivedSpan>();
  const logs = new Collection<ReceivedLogRecord>();
  const requests = new Collection<OtlpRequestRecord>();

  const server = new FaultableHttpServer(
    ({ req, res, record, body }) => {
      const current = record as OtlpRequestRecord;
      const isLogs = record.path === logsPath || record.path === `${logsPath}/`;
      if (!isLogs && record.path !== tracesPath && record.path !== `${tracesPath}/`)
        return sendText(res, 404, 'not found');
      if (req.method !== 'POST') return sendText(res, 405, 'method not allowed', { allow: 'POST' });
      const encoding = otlpEncodingOf(mediaType(record.contentType));
      if (!encoding) return sendText(res, 415, `unsupported content-type: ${record.contentType ?? '(none)'}`);
      if (isLogs) {
        let records: ReceivedLogRecord[];
        try {
          records = decodeOtlpLogsBody(body, encoding);
        } catch (error) {
          return sendText(res, 400, `malformed OTLP ${encoding}: ${String(error)}`);
        }
        current.logCount = records.length;
        logs.push(...records);
        const reply = otlpLogsSuccessResponse(encoding);
        res.writeHead(200, { 'content-type': reply.contentType });
        res.end(reply.body);
        return;
      }
      let decoded: ReceivedSpan[];
      try {
        decoded = decodeOtlpTracesBody(body, encoding);
      } catch (error) {
        return sendText(res, 400, `malformed OTLP ${encoding}: ${String(error)}`);
      }
      current.spanCount = decoded.length;
      // Stored before answering, so an exporter's resolved export() means the spans are visible to the test.
      spans.push(...decoded);
      const reply = otlpSuccessResponse(encoding);
      res.writeHead(200, { 'content-type': reply.contentType });
      res.end(reply.body);
    },
    (record) => requests.push(Object.assign(record, { spanCount: 0, logCount: 0 })),
    () => requests.notify(),
  );
  const port = await server.listen();
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    tracesUrl: `${url}${tracesPath}`,
    logsUrl: `${url}${logsPath}`,
    port,
    spans: spans.items,
    logs: logs.items,
    requests: requests.items,
    rejected: server.rejected,
    waitForSpans: (match, timeoutMs = DEFAULT_WAIT_MS, minCount = 1) =>
      spans.waitFor(match, timeoutMs, minCount, describeSpans),
    waitForLogs: (match, timeoutMs = DEFAULT_WAIT_MS, minCount = 1) =>
      logs.waitFor(match, timeoutMs, minCount, describeLogs),
    waitForRequests: (match, timeoutMs = DEFAULT_WAIT_MS, minCount = 1) =>
      requests.waitFor(match, timeoutMs, minCount, (items) => `${items.length} request(s)`),
    setFault: (fault) => server.setFault(fault),
    reset: () => {
      spans.clear();
      logs.clear();
      requests.clear();
    },
    close: () => server.close(),
  };
}
