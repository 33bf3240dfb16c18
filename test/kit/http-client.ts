import http, { type Agent, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';

export interface RequestOptions {
  method?: string;
  headers?: OutgoingHttpHeaders;
  /** A string or bytes as is; any other value is sent as JSON (content-type set unless given). */
  body?: string | Uint8Array | object;
  /** Reuse connections, e.g. `keepAliveAgent()`; default: a fresh connection per request. */
  agent?: Agent;
  timeoutMs?: number;
}

export interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON when it is JSON, else undefined. */
  json: unknown;
}

/** A keep-alive agent (one socket per concurrent request, reused): call `.destroy()` when done. */
export function keepAliveAgent(maxSockets = 20): Agent {
  return new http.Agent({ keepAlive: true, maxSockets });
}

/** One HTTP request with node:http (not fetch, so tests do not depend on undici's instrumentation in the runner). */
export function request(url: string, options: RequestOptions = {}): Promise<Response> {
  const headers: OutgoingHttpHeaders = { ...options.headers };
  let payload: string | Uint8Array | undefined;
  if (typeof options.body === 'string' || options.body instanceof Uint8Array) {
    payload = options.body;
  } else if (options.body !== undefined) {
    payload = JSON.stringify(options.body);
    const hasType = Object.keys(headers).some((key) => key.toLowerCase() === 'content-type');
    if (!hasType) headers['content-type'] = 'application/json';
  }
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? (payload === undefined ? 'GET' : 'POST'), headers, agent: options.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          if ((res.headers['content-type'] ?? '').includes('json') && text !== '') {
            try {
              json = JSON.parse(text) as unknown;
            } catch {
              json = undefined;
            }
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error(`request to ${url} timed out`)));
    req.end(payload);
  });
}
