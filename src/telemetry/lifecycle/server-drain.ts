/**
 * The HTTP servers this process serves requests on, and how to drain them. Servers are learnt from Node's
 * `http.server.request.start` diagnostics channel, so the app needs no registration call and ESM named imports
 * of node:http are covered too.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Server } from 'node:http';

const servers = new Set<Server>();
const onRequest = (message: unknown): void => {
  const server = (message as { server?: Server }).server;
  if (!server || servers.has(server)) return;
  servers.add(server);
  // Apps that open a server per job or per test would otherwise grow this set for ever.
  server.once('close', () => servers.delete(server));
};
let tracking = false;

export function trackServers(): void {
  if (tracking) return;
  tracking = true;
  subscribe('http.server.request.start', onRequest);
}

export function untrackServers(): void {
  if (!tracking) return;
  tracking = false;
  unsubscribe('http.server.request.start', onRequest);
  servers.clear();
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });

/**
 * Stops accepting connections, lets requests in flight finish, and closes keep-alive connections as soon as
 * they fall idle; whatever is still open when the budget ends is cut.
 */
export async function drainServers(budgetMs: number): Promise<void> {
  const open = [...servers].filter((server) => server.listening);
  if (open.length === 0) return;
  const closed = Promise.all(open.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  const sweeper = setInterval(() => {
    for (const server of open) server.closeIdleConnections();
  }, 20);
  sweeper.unref();
  await Promise.race([closed, sleep(budgetMs)]);
  clearInterval(sweeper);
  for (const server of open) server.closeAllConnections();
}
