/**
 * One HTTP request with a hard deadline, for the reachability checks. node:http rather than fetch: the answer
 * we want is "which layer failed" (DNS, refused, TLS, no answer, status), and node:http's errors say it.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';

export type ProbeOutcome =
  | { kind: 'answer'; status: number; retryAfter?: string }
  | { kind: 'error'; message: string; code?: string }
  | { kind: 'timeout' };

export interface ProbeRequest {
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  timeoutMs: number;
}

function errorOutcome(error: unknown): ProbeOutcome {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' ? { kind: 'error', message, code } : { kind: 'error', message };
}

export function probeHttp(probe: ProbeRequest): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const url = new URL(probe.url);
    const client = url.protocol === 'https:' ? https : http;
    let done = false;
    const finish = (outcome: ProbeOutcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      resolve(outcome);
    };
    // One deadline for the whole exchange: connect, TLS, headers. A socket timeout alone restarts on each byte.
    const timer = setTimeout(() => finish({ kind: 'timeout' }), probe.timeoutMs);
    timer.unref();
    const req = client.request(url, { method: probe.method, headers: probe.headers, agent: false }, (res) => {
      res.resume();
      const retryAfter = res.headers['retry-after'];
      finish(
        retryAfter === undefined
          ? { kind: 'answer', status: res.statusCode ?? 0 }
          : { kind: 'answer', status: res.statusCode ?? 0, retryAfter: String(retryAfter) },
      );
    });
    req.on('error', (error) => finish(errorOutcome(error)));
    req.end(probe.body);
  });
}

/** A TCP (and TLS for https) connection only: for gRPC endpoints, which plain HTTP/1.1 cannot talk to. */
export function probeConnect(urlText: string, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const url = new URL(urlText);
    const secure = url.protocol === 'https:';
    const port = Number(url.port || (secure ? 443 : 80));
    const host = url.hostname.replace(/^\[|\]$/g, '');
    let done = false;
    const socket = secure
      ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ['h2'] })
      : net.connect({ host, port });
    const finish = (outcome: ProbeOutcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
    timer.unref();
    socket.once(secure ? 'secureConnect' : 'connect', () => finish({ kind: 'answer', status: 0 }));
    socket.once('error', (error) => finish(errorOutcome(error)));
  });
}

/** Why a connection-level failure happened, in words an operator can act on. */
export function describeFailure(outcome: Exclude<ProbeOutcome, { kind: 'answer' }>, timeoutMs: number): string {
  if (outcome.kind === 'timeout')
    return `no answer within ${timeoutMs} ms (the backend hangs or a firewall drops packets)`;
  switch (outcome.code) {
    case 'ECONNREFUSED':
      return 'connection refused (nothing listens there)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host not found (${outcome.code})`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_HAS_EXPIRED':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `TLS certificate not trusted: ${outcome.message} (${outcome.code})`;
    default:
      return outcome.code ? `${outcome.message} (${outcome.code})` : outcome.message;
  }
}

export const TLS_FIX =
  'Give Node the CA that signed the certificate (NODE_EXTRA_CA_CERTS=/path/ca.pem) or use a trusted certificate.';
