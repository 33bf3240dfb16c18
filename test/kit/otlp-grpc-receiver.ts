import * as grpc from '@grpc/grpc-js';
import {
  decodeLogsRequestProto,
  decodeTraceRequestProto,
  encodeLogsResponseProto,
  encodeTraceResponseProto,
} from './otlp-proto.js';
import {
  normalizeExportRequest,
  normalizeLogsExportRequest,
  type ReceivedLogRecord,
  type ReceivedSpan,
} from './otlp-normalize.js';
import {
  DEFAULT_SLOW_DELAY_MS,
  emptyRejectedCounts,
  type Fault,
  type FaultMode,
  type RejectedCounts,
} from './fault.js';
import { DEFAULT_WAIT_MS, describeLogs, describeSpans } from './otlp-receiver.js';
import { Collection, type Match } from './waiters.js';

export interface GrpcRequestRecord {
  /**
   * Call metadata (OTEL_EXPORTER_OTLP_HEADERS arrive here), first value per key. grpc-js strips the transport
   * headers (grpc-encoding, grpc-timeout, content-type) before handlers see them, and decompresses transparently.
   */
  metadata: Record<string, string>;
  fault: FaultMode;
  spanCount: number;
  /** Log records decoded from this call (LogsService). */
  logCount: number;
}

export interface OtlpGrpcReceiver {
  /** `http://127.0.0.1:<port>`: the form OTLPTraceExporter (grpc) and OTEL_EXPORTER_OTLP_ENDPOINT expect. */
  readonly url: string;
  readonly port: number;
  readonly spans: ReceivedSpan[];
  /** Log records received by the LogsService, normalised like the HTTP receiver's. */
  readonly logs: ReceivedLogRecord[];
  readonly requests: GrpcRequestRecord[];
  waitForRequests(match: Match<GrpcRequestRecord>, timeoutMs?: number, minCount?: number): Promise<GrpcRequestRecord[]>;
  readonly rejected: RejectedCounts;
  waitForSpans(match: Match<ReceivedSpan>, timeoutMs?: number, minCount?: number): Promise<ReceivedSpan[]>;
  waitForLogs(match: Match<ReceivedLogRecord>, timeoutMs?: number, minCount?: number): Promise<ReceivedLogRecord[]>;
  /**
   * Fault modes map onto gRPC: 429 -> RESOURCE_EXHAUSTED, 503 -> UNAVAILABLE (retryable per the OTLP spec),
   * down -> the server is shut down and new connections are refused, slow/hang as over HTTP.
   */
  setFault(fault: Fault): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

// Serialisation stays with the kit's protobufjs types, so gRPC decodes with the same .proto files as OTLP/HTTP.
function serviceDefinition(path: string): grpc.ServiceDefinition {
  return {
    Export: {
      path,
      requestStream: false,
      responseStream: false,
      requestSerialize: (value: Buffer) => value,
      requestDeserialize: (bytes: Buffer) => bytes,
      responseSerialize: (value: Uint8Array) => Buffer.from(value),
      responseDeserialize: (bytes: Buffer) => bytes,
    },
  };
}
const traceServiceDefinition = serviceDefinition('/opentelemetry.proto.collector.trace.v1.TraceService/Export');
const logsServiceDefinition = serviceDefinition('/opentelemetry.proto.collector.logs.v1.LogsService/Export');

/** Starts an OTLP/gRPC TraceService and LogsService on 127.0.0.1 (insecure, like a local collector). */
export async function startOtlpGrpcReceiver(): Promise<OtlpGrpcReceiver> {
  const spans = new Collection<ReceivedSpan>();
  const logs = new Collection<ReceivedLogRecord>();
  const requests = new Collection<GrpcRequestRecord>();
  const rejected = emptyRejectedCounts();
  const timers = new Set<NodeJS.Timeout>();
  let fault: Fault = { mode: 'ok' };
  let server: grpc.Server | undefined;
  let port = 0;
  let closed = false;

  /** One Export handler per service: `store` decodes and keeps what a call carried, answering its response. */
  const handlerOf =
    (store: (body: Buffer, record: GrpcRequestRecord) => Uint8Array): grpc.handleUnaryCall<Buffer, Uint8Array> =>
    (call, callback) => {
      const current = fault;
      const metadata: Record<string, string> = {};
      for (const [key, value] of Object.entries(call.metadata.getMap())) metadata[key] = String(value);
      const record: GrpcRequestRecord = { metadata, fault: current.mode, spanCount: 0, logCount: 0 };
      requests.push(record);

      const accept = (): void => {
        let response: Uint8Array;
        try {
          response = store(call.request, record);
        } catch (error) {
          callback({ code: grpc.status.INVALID_ARGUMENT, details: String(error) });
          return;
        }
        callback(null, response);
      };

      switch (current.mode) {
        case 'ok':
          accept();
          return;
        case 'down':
          rejected.down += 1;
          callback({ code: grpc.status.UNAVAILABLE, details: 'down' });
          return;
        case 'hang':
          rejected.hang += 1;
          return;
        case '429':
          rejected['429'] += 1;
          callback({ code: grpc.status.RESOURCE_EXHAUSTED, details: 'rate limited' });
          return;
        case '503':
          rejected['503'] += 1;
          callback({ code: grpc.status.UNAVAILABLE, details: 'unavailable' });
          return;
        case 'slow': {
          rejected.slow += 1;
          const timer = setTimeout(() => {
            timers.delete(timer);
            // A client that hit its deadline has cancelled the call: its spans were not delivered.
            if (call.cancelled || closed) return;
            accept();
          }, current.delayMs ?? DEFAULT_SLOW_DELAY_MS);
          timers.add(timer);
          return;
        }
      }
    };

  const exportHandler = handlerOf((body, record) => {
    const decoded = normalizeExportRequest(decodeTraceRequestProto(body), 'protobuf');
    record.spanCount = decoded.length;
    spans.push(...decoded);
    return encodeTraceResponseProto();
  });
  const logsHandler = handlerOf((body, record) => {
    const decoded = normalizeLogsExportRequest(decodeLogsRequestProto(body), 'protobuf');
    record.logCount = decoded.length;
    logs.push(...decoded);
    return encodeLogsResponseProto();
  });

  const bind = async (): Promise<void> => {
    const next = new grpc.Server();
    next.addService(traceServiceDefinition, { Export: exportHandler });
    next.addService(logsServiceDefinition, { Export: logsHandler });
    port = await new Promise<number>((resolve, reject) => {
      next.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, boundPort) =>
        error ? reject(error) : resolve(boundPort),
      );
    });
    server = next;
  };

  const shutdown = (): void => {
    // forceShutdown cancels hung calls and closes every session, so clients see the server as gone.
    server?.forceShutdown();
    server = undefined;
  };

  await bind();
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    port,
    spans: spans.items,
    logs: logs.items,
    requests: requests.items,
    rejected,
    waitForSpans: (match, timeoutMs = DEFAULT_WAIT_MS, minCount = 1) =>
      spans.waitFor(match, timeoutMs, minCount, describeSpans),
    waitForLogs: (match, timeoutMs = DEFAULT_WAIT_MS, minCount = 1) =>
      logs.waitFor(match, timeoutMs, minCount, describeLogs),
    waitForRequests: (match, timeoutMs = DEFAULT_WAIT_MS, minCount = 1) =>
      requests.waitFor(match, timeoutMs, minCount, (items) => `${items.length} request(s)`),
    setFault: async (next) => {
      if (closed) throw new Error('server is closed');
      fault = { ...next };
      if (next.mode === 'down') shutdown();
      else if (!server) await bind();
    },
    reset: () => {
      spans.clear();
      logs.clear();
      requests.clear();
    },
    close: async () => {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      shutdown();
    },
  };
}
