/**
 * The HTTP transport of the OTLP/protobuf exporters. The stock one answers a 429 or a 503 as "retryable" and,
 * once its retries run out, the exporter reports "Export failed with retryable status": the status, the
 * Retry-After and the connection error that caused it are gone, so a warning could only say "failed". This one
 * keeps them: every failure is an ExportFailure that says what happened in words an operator can act on, and
 * carries the Retry-After for the pipeline to honour. Retries follow the stock transport (up to 5, backoff 1 s
 * x1.5 up to 5 s with jitter, or the Retry-After, within the export's timeout).
 */
import type { Agent, ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import {
  OTLPExporterError,
  type createOtlpHttpExportDelegate,
  type ExportResponse,
  type IExporterTransport,
} from './exporter-base.js';

/** The options the stock node-http delegate takes (OtlpNodeHttpConfiguration, not exported by name on 0.223). */
export type HttpExportOptions = Parameters<typeof createOtlpHttpExportDelegate>[0];

// zlib's async form runs in libuv's pool: compression never holds the event loop (and the spans' `end()`).
const gzip = promisify(gzipCallback);

const MAX_ATTEMPTS = 6;
const INITIAL_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 5000;
const BACKOFF_MULTIPLIER = 1.5;
const JITTER = 0.2;
/** A response body is read for nothing but its partial-success message: never more than this. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** An export that did not succeed, named: `HTTP 429 Too Many Requests (Retry-After: 30 s)`, `connection refused ...`. */
export class ExportFailure extends OTLPExporterError {
  constructor(
    message: string,
    /** The HTTP status, when the backend answered. */
    status?: number,
    /** How long the backend asked us to wait before sending again. */
    readonly retryAfterMs?: number,
    /** Whether sending the same request again may succeed (429, 502-504, timeouts, refused connections). */
    readonly retryable = false,
  ) {
    super(message, status);
  }
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const RETRYABLE_NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);
const NETWORK_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed while sending',
  ETIMEDOUT: 'connection timed out',
  EAI_AGAIN: 'host name lookup failed',
  ENOTFOUND: 'host not found',
  ENETUNREACH: 'network unreachable',
  EHOSTUNREACH: 'host unreachable',
};
// OpenSSL's verification codes and Node's TLS/SSL error codes.
const TLS_CODE = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|EPROTO$|HOSTNAME_MISMATCH)/;

/** Retry-After in milliseconds: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

export function describeStatus(
  status: number,
  statusMessage: string | undefined,
  retryAfterMs: number | undefined,
): string {
  const words = statusMessage ? ` ${statusMessage}` : '';
  return `HTTP ${status}${words}${retryAfterMs !== undefined ? ` (Retry-After: ${seconds(retryAfterMs)})` : ''}`;
}

/** A request error in words: `connection refused (connect ECONNREFUSED 127.0.0.1:4318)`, `TLS error: ...`. */
export function describeNetworkError(error: Error): ExportFailure {
  const code = (error as { code?: unknown }).code;
  const codeText = typeof code === 'string' ? code : '';
  if (TLS_CODE.test(codeText) || /\b(SSL|TLS|certificate)\b/i.test(error.message)) {
    return new ExportFailure(
      `TLS error: ${error.message}${codeText && !error.message.includes(codeText) ? ` (${codeText})` : ''}`,
    );
  }
  const words = NETWORK_WORDS[codeText];
  const message = words
    ? `${words} (${error.message})`
    : `${error.message || error.name}${codeText && !error.message.includes(codeText) ? ` (${codeText})` : ''}`;
  return new ExportFailure(message, undefined, undefined, RETRYABLE_NETWORK.has(codeText));
}

type RequestFunction = (url: URL, options: RequestOptions, callback: (res: IncomingMessage) => void) => ClientRequest;

class OtlpHttpTransport implements IExporterTransport {
  private loaded: Promise<{ agent: Agent; request: RequestFunction }> | undefined;

  constructor(private readonly options: HttpExportOptions) {}

  private load(): Promise<{ agent: Agent; request: RequestFunction }> {
    this.loaded ??= (async () => {
      const protocol = new URL(this.options.url).protocol;
      // Loaded on first use, like the stock transport: node:http must not be imported before its instrumentation.
      const [agent, module] = await Promise.all([
        this.options.agentFactory(protocol),
        protocol === 'https:' ? import('node:https') : import('node:http'),
      ]);
      return { agent: agent as Agent, request: module.request as RequestFunction };
    })();
    return this.loaded;
  }

  async send(data: Uint8Array, timeoutMillis: number): Promise<ExportResponse> {
    const deadline = Date.now() + timeoutMillis;
    let body: Uint8Array;
    const headers: Record<string, string> = { ...(await this.options.headers()) };
    try {
      body = this.options.compression === 'gzip' ? await gzip(data) : data;
    } catch (error) {
      return { status: 'failure', error: new ExportFailure(`could not compress the request: ${String(error)}`) };
    }
    if (this.options.compression === 'gzip') headers['Content-Encoding'] = 'gzip';
    const agentName = 'OTel-OTLP-Exporter-JavaScript otel-sentry-bridge';
    headers['User-Agent'] = this.options.userAgent ? `${this.options.userAgent} ${agentName}` : agentName;
    let backoff = INITIAL_BACKOFF_MS;
    let attempts = 0;
    for (;;) {
      attempts++;
      const result = await this.attempt(body, headers, Math.max(1, deadline - Date.now()), timeoutMillis);
      if (result.status === 'success') return result;
      const failure = result.error;
      if (!failure.retryable || attempts >= MAX_ATTEMPTS) return { status: 'failure', error: failure };
      const jittered = Math.min(backoff * (1 + (Math.random() * 2 - 1) * JITTER), MAX_BACKOFF_MS);
      backoff *= BACKOFF_MULTIPLIER;
      const wait = failure.retryAfterMs ?? jittered;
      // The backend's wait or the backoff does not fit in the export's time: the failure stands, Retry-After kept.
      if (wait >= deadline - Date.now()) return { status: 'failure', error: failure };
      // Kept referenced, as the stock transport does: a process whose loop empties still finishes this export.
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  private async attempt(
    body: Uint8Array,
    headers: Record<string, string>,
    timeoutMillis: number,
    /** The whole export's timeout, which the message names (this attempt may have had what was left of it). */
    exportTimeoutMillis: number,
  ): Promise<{ status: 'success'; data?: Uint8Array } | { status: 'failure'; error: ExportFailure }> {
    const { agent, request } = await this.load();
    return new Promise((resolve) => {
      let settled = false;
      const settle = (
        result: { status: 'success'; data?: Uint8Array } | { status: 'failure'; error: ExportFailure },
      ): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const req = request(
        new URL(this.options.url),
        { method: 'POST', headers: { ...headers, 'Content-Length': String(body.length) }, agent },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) {
              settle({
                status: 'failure',
                error: new ExportFailure(
                  `HTTP ${res.statusCode ?? '?'}: the response exceeded ${MAX_RESPONSE_BYTES} bytes`,
                  res.statusCode,
                ),
              });
              res.destroy();
              return;
            }
            chunks.push(chunk);
          });
          const answered = (): void => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status <= 299) {
              settle({ status: 'success', data: Buffer.concat(chunks) });
              return;
            }
            const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
            const retryable = RETRYABLE_STATUS.has(status);
            settle({
              status: 'failure',
              error: new ExportFailure(
                describeStatus(status, res.statusMessage, retryAfterMs),
                status,
                retryAfterMs,
                retryable,
              ),
            });
          };
          res.on('end', answered);
          // A response cut while its body was read still has its status.
          res.on('error', answered);
        },
      );
      const timer = setTimeout(() => {
        settle({
          status: 'failure',
          error: new ExportFailure(`timeout: no answer within ${exportTimeoutMillis} ms`, undefined, undefined, true),
        });
        req.destroy();
      }, timeoutMillis);
      timer.unref();
      req.on('error', (error) => settle({ status: 'failure', error: describeNetworkError(error) }));
      req.end(body);
    });
  }

  shutdown(): void {}
}

export function createOtlpHttpTransport(options: HttpExportOptions): IExporterTransport {
  return new OtlpHttpTransport(options);
}
