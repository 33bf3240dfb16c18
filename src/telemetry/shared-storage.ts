/**
 * One AsyncLocalStorage for the OpenTelemetry context and Sentry's scopes. Each library otherwise keeps a
 * storage of its own, and Node then copies two stores onto every async resource the process creates (every
 * promise), where the request path of an express app creates hundreds. Each frame of the shared storage holds
 * both halves: entering an OpenTelemetry context keeps the current scopes, forking scopes keeps the current
 * context, so each half flows exactly as it would in its own storage (a `context.with(ROOT_CONTEXT, ...)` drops
 * the trace, never the request's scopes).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  generateTraceId,
  getDefaultCurrentScope,
  getDefaultIsolationScope,
  isContinuingTrace,
  setAsyncContextStrategy,
  type Scope,
} from '@sentry/core';

interface Scopes {
  scope: Scope;
  isolationScope: Scope;
}
interface Frame {
  readonly context: Context;
  readonly scopes: Scopes | undefined;
}

const storage = new AsyncLocalStorage<Frame>();

/** OpenTelemetry's AsyncLocalStorage context manager (its `bind` and event-emitter patching), on the shared storage. */
export class SharedContextManager extends AsyncLocalStorageContextManager {
  override active(): Context {
    return storage.getStore()?.context ?? ROOT_CONTEXT;
  }

  override with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const callback = thisArg == null ? fn : (fn.bind(thisArg) as F);
    return storage.run({ context, scopes: storage.getStore()?.scopes }, callback, ...args);
  }

  override attach(context: Context): { dispose(): void } {
    const previous = storage.getStore();
    storage.enterWith({ context, scopes: previous?.scopes });
    let disposed = false;
    return {
      dispose: () => {
        if (disposed) return;
        disposed = true;
        // enterWith takes no undefined in its types; a frame with no scopes reads as "none" on both sides.
        storage.enterWith(previous ?? { context: ROOT_CONTEXT, scopes: undefined });
      },
    };
  }

  override disable(): this {
    storage.disable();
    return this;
  }
}

// Outside any fork (start-up, timers of the process) the defaults, read without building a pair for them.
function currentScope(): Scope {
  return storage.getStore()?.scopes?.scope ?? getDefaultCurrentScope();
}

function currentIsolationScope(): Scope {
  return storage.getStore()?.scopes?.isolationScope ?? getDefaultIsolationScope();
}

function runWithScopes<T>(scopes: Scopes, callback: () => T): T {
  return storage.run({ context: storage.getStore()?.context ?? ROOT_CONTEXT, scopes }, callback);
}

/**
 * Sentry's async-context strategy on the shared storage: the same four forks as @sentry/server-utils'
 * AsyncLocalStorage strategy. Call it after Sentry.init (the client installs its own) and only with a
 * SharedContextManager registered, or scopes would not follow the app's async work.
 */
export function shareStorageWithSentry(): void {
  setAsyncContextStrategy({
    withScope: (callback) => {
      const forked = currentScope().clone();
      return runWithScopes({ scope: forked, isolationScope: currentIsolationScope() }, () => callback(forked));
    },
    withSetScope: (scope, callback) => runWithScopes({ scope, isolationScope: currentIsolationScope() }, () => callback(scope)),
    withIsolationScope: (callback) => {
      const forkedScope = currentScope().clone();
      const forkedIsolationScope = currentIsolationScope().clone();
      if (!isContinuingTrace(forkedScope.getPropagationContext())) {
        forkedScope.setPropagationContext({ traceId: generateTraceId(), sampleRand: Math.random() });
      }
      return runWithScopes({ scope: forkedScope, isolationScope: forkedIsolationScope }, () => callback(forkedIsolationScope));
    },
    withSetIsolationScope: (isolationScope, callback) =>
      runWithScopes({ scope: currentScope().clone(), isolationScope }, () => callback(isolationScope)),
    getCurrentScope: currentScope,
    getIsolationScope: currentIsolationScope,
  });
}
