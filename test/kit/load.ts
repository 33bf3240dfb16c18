import { keepAliveAgent, request } from './http-client.js';

export interface LoadResult {
  /** Requests answered 200. */
  ok: number;
  /** The paths of those requests (`/ok/<n>`), to match them with the server spans received. */
  okPaths: Set<string>;
}

/**
 * Keep-alive clients sending requests back to back to `<url>/ok/<n>` until the server goes away (or `stop()`),
 * as a load balancer's clients would during a shutdown or a crash.
 */
export function loadUntilGone(url: string, clients: number): { stop: () => void; done: Promise<LoadResult> } {
  const agent = keepAliveAgent(clients);
  let stopped = false;
  let n = 0;
  let ok = 0;
  const okPaths = new Set<string>();
  const done = Promise.all(
    Array.from({ length: clients }, async () => {
      while (!stopped) {
        const path = `/ok/${n++}`;
        try {
          const res = await request(`${url}${path}`, { agent, timeoutMs: 5000 });
          if (res.status === 200) {
            ok++;
            okPaths.add(path);
          }
        } catch {
          stopped = true;
        }
      }
    }),
  ).then(() => {
    agent.destroy();
    return { ok, okPaths };
  });
  return { stop: () => (stopped = true), done };
}
