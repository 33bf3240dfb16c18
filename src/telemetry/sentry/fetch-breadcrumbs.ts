/**
 * Breadcrumbs for fetch (undici) requests, recorded on the scope of the code that made the request. Sentry's
 * own fetch breadcrumb is recorded in the keep-alive socket's async context, so under concurrency one request's
 * fetch lands in another request's events; the request's creation is the one moment its caller is known.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import * as Sentry from '../common/sentry-node.js';

interface UndiciRequest {
  origin?: string | URL;
  path?: string;
  method?: string;
}
type Scope = ReturnType<typeof Sentry.getIsolationScope>;

export function installFetchBreadcrumbs(isIgnored: (url: string) => boolean): () => void {
  const callers = new WeakMap<object, { scope: Scope; url: string; method: string }>();

  const onCreate = (message: unknown): void => {
    const request = (message as { request?: UndiciRequest }).request;
    if (!request) return;
    const url = `${String(request.origin ?? '')}${request.path ?? ''}`;
    if (isIgnored(url)) return;
    callers.set(request, { scope: Sentry.getIsolationScope(), url, method: request.method ?? 'GET' });
  };
  const record = (request: object | undefined, data: Record<string, unknown>, level?: Sentry.SeverityLevel): void => {
    const caller = request && callers.get(request);
    if (!caller || !request) return;
    callers.delete(request);
    Sentry.withIsolationScope(caller.scope, () => {
      Sentry.addBreadcrumb(
        {
          category: 'http',
          type: 'http',
          ...(level ? { level } : {}),
          data: { url: caller.url, method: caller.method, ...data },
        },
        { input: [caller.url], data },
      );
    });
  };
  const onHeaders = (message: unknown): void => {
    const { request, response } = message as { request?: object; response?: { statusCode?: number } };
    record(request, { status_code: response?.statusCode });
  };
  const onError = (message: unknown): void => {
    const { request, error } = message as { request?: object; error?: Error };
    record(request, { error: error?.message }, 'error');
  };

  subscribe('undici:request:create', onCreate);
  subscribe('undici:request:headers', onHeaders);
  subscribe('undici:request:error', onError);
  return () => {
    unsubscribe('undici:request:create', onCreate);
    unsubscribe('undici:request:headers', onHeaders);
    unsubscribe('undici:request:error', onError);
  };
}
