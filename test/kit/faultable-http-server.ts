import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readBody, UnsupportedEncodingError } from './http-body.js';
import {
  DEFAULT_RETRY_AFTER_SECONDS,
  DEFAULT_SLOW_DELAY_MS,
  emptyRejectedCounts,
  type Fault,
  type FaultMode,
  type RejectedCounts,
} from './fault.js';

/** One request as a fake backend saw it, before any decoding of the payload. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Path with the query string, as sent. */
  url: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  contentType?: string;
  /** Content-Encoding as sent (gzip, ...), undefined when the body was not compressed. */
  encoding?: string;
  /** Decompressed body size in bytes. */
  bodyBytes: number;
  /** The fault mode that was active when the request arrived. */
  fault: FaultMode;
  /** Status answered; undefined while unanswered (hang) or if the client went away first. */
  status?: number;
}

export interface HandlerContext {
  req: IncomingMessage;
  res: ServerResponse;
  record: RecordedRequest;
  /** The decompressed body. */
  body: Buffer;
}

/** Answers one request in normal operation; runs only when the fault mode lets the request through. */
export type Handler = (ctx: HandlerContext) => void | Promise<void>;

/**
 * An HTTP server on 127.0.0.1 whose failure mode can be switched at run time. It owns the socket bookkeeping
 * that every fake backend needs: refusing connections while down, destroying hung sockets on close.
 */
export class FaultableHttpServer {
  readonly rejected: RejectedCounts = emptyRejectedCounts();
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private fault: Fault = { mode: 'ok' };
  private applies: ((record: RecordedRequest) => boolean) | undefined;
  private transition: Promise<void> = Promise.resolve();
  private listening = false;
  private closed = false;
  private boundPort = 0;

  constructor(
    private readonly handler: Handler,
    private readonly onRequest: (record: RecordedRequest) => void,
    private readonly onAnswered: (record: RecordedRequest) => void = () => {},
  ) {
    // Tests send oversized headers on purpose (baggage limits); a fake backend should not be the one to refuse them.
    this.server = http.createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => void this.dispatch(req, res));
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  get port(): number {
    return this.boundPort;
  }

  get currentFault(): Fault {
    return { ...this.fault };
  }

  async listen(): Promise<number> {
    await this.listenOn(this.boundPort);
    return this.boundPort;
  }

  /**
   * Switches the fault mode; `applies` limits a non-down fault to some requests (the others are served normally).
   * Calls are serialised, so `down` then `ok` in quick succession cannot race the listener.
   */
  setFault(fault: Fault, applies?: (record: RecordedRequest) => boolean): Promise<void> {
    const next = this.transition.then(async () => {
      if (this.closed) throw new Error('server is closed');
      this.fault = { ...fault };
      this.applies = applies;
      if (fault.mode === 'down') {
        await this.stopListening();
      } else if (!this.listening) {
        await this.listenOn(this.boundPort);
      }
    });
    this.transition = next.catch(() => {});
    return next;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.transition;
    await this.stopListening();
  }

  private listenOn(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', onError);
        this.listening = true;
        this.boundPort = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private async stopListening(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Keep-alive and hung sockets would keep the server (and the exporter's connection) alive: a backend that is
    // down must look down to clients that already hold a connection too.
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections();
    await closed;
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      url: req.url ?? '/',
      query: url.searchParams,
      headers: req.headers,
      bodyBytes: 0,
      fault: 'ok',
    };
    const fault: Fault = this.applies === undefined || this.applies(record) ? this.fault : { mode: 'ok' };
    record.fault = fault.mode;
    if (req.headers['content-type'] !== undefined) record.contentType = req.headers['content-type'];
    res.once('finish', () => {
      record.status = res.statusCode;
      this.onAnswered(record);
    });
    let body: Buffer;
    try {
      const read = await readBody(req);
      body = read.body;
      if (read.encoding !== undefined) record.encoding = read.encoding;
      record.bodyBytes = body.length;
    } catch (error) {
      this.onRequest(record);
      const unsupported = error instanceof UnsupportedEncodingError;
      if (!res.destroyed) sendText(res, unsupported ? 415 : 400, String(error));
      return;
    }
    this.onRequest(record);
    switch (fault.mode) {
      case 'ok':
        break;
      case 'down':
        // Arrived in the instant between switching to down and the listener closing.
        this.rejected.down += 1;
        req.socket.destroy();
        return;
      case 'hang':
        this.rejected.hang += 1;
        return;
      case '429':
      case '503': {
        this.rejected[fault.mode] += 1;
        const retryAfter =
          fault.retryAfterSeconds === undefined
            ? fault.mode === '429'
              ? DEFAULT_RETRY_AFTER_SECONDS
              : null
            : fault.retryAfterSeconds;
        const headers: Record<string, string> = { ...fault.headers };
        if (retryAfter !== null) headers['retry-after'] = String(retryAfter);
        sendText(
          res,
          fault.mode === '429' ? 429 : 503,
          fault.mode === '429' ? 'Too Many Requests' : 'Service Unavailable',
          headers,
        );
        return;
      }
      case 'slow':
        this.rejected.slow += 1;
        await this.delay(fault.delayMs ?? DEFAULT_SLOW_DELAY_MS);
        // The client timed out and went away (or close() ran): do not count its payload as received.
        if (res.destroyed || req.socket.destroyed || this.closed) return;
        break;
    }
    try {
      await this.handler({ req, res, record, body });
    } catch (error) {
      if (!res.headersSent && !res.destroyed) sendText(res, 500, String(error));
    }
  }
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(text);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}
