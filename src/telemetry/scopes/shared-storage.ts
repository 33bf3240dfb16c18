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
  getAsyncContextStrategy,
  getCurrentScope,
  getDefaultCurrentScope,
  getMainCarrier,
  getDefaultIsolationScope,
  getGlobalScope,
  getIsolationScope,
  isContinuingTrace,
  setAsyncContextStrategy,
  withIsolationScope,
  withScope,
  type AsyncContextStrategy,
  type Scope,
} from '../common/sentry-core.js';

export interface Scopes {
  readonly scope: Scope;
  readonly isolationScope: Scope;
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

/**
 * Sentry's default and global scopes, read once per Sentry carrier (`globalThis.__SENTRY__`): its getters
 * (`getGlobalSingleton`) allocate a closure on every call, and every span start read three of them, half a
 * kilobyte of garbage per request on the minimal express route. Sentry creates each singleton once and never
 * replaces it while its carrier lives; a new carrier (something that reset Sentry's globals) reads them again.
 */
interface Singletons {
  readonly carrier: unknown;
  readonly defaults: Scopes;
  readonly global: Scope;
}
let singletons: Singletons | undefined;

const CARRIER = '__SENTRY__';

function sentryCarrier(): unknown {
  return (globalThis as Record<string, unknown>)[CARRIER];
}

function sentrySingletons(): Singletons {
  if (singletons === undefined || singletons.carrier !== sentryCarrier()) {
    const defaults = { scope: getDefaultCurrentScope(), isolationScope: getDefaultIsolationScope() };
    // Read after the getters, which create the carrier when there was none.
    singletons = { defaults, global: getGlobalScope(), carrier: sentryCarrier() };
  }
  return singletons;
}

/** Sentry's global scope, without the closure `getGlobalScope` allocates per call. */
export function globalScope(): Scope {
  return sentrySingletons().global;
}

// Outside any fork (start-up, timers of the process) the defaults, read without building a pair for them.
function currentScope(): Scope {
  return storage.getStore()?.scopes?.scope ?? sentrySingletons().defaults.scope;
}

function currentIsolationScope(): Scope {
  return storage.getStore()?.scopes?.isolationScope ?? sentrySingletons().defaults.isolationScope;
}

/** One pair for every reader: none of them writes to it. */
function defaultScopes(): Scopes {
  return sentrySingletons().defaults;
}

/**
 * A fork whose scopes are made when something first reads or writes one: a request that never touches a Sentry
 * scope (no error, no user, no breadcrumb) never pays for two scope clones and their random trace ids, about 5 %
 * of a minimal express route. Every frame of the request shares this object, so all of them see the same scopes
 * once they exist. Until then, what the scopes hold is what the parent's hold (see `scopesInView`). They are
 * cloned from the parent scopes as those are when first used, not as they were when the fork began: a write to
 * the parent scopes meanwhile (process-wide code outside any request) reaches the fork too.
 */
class DeferredScopes implements Scopes {
  private made: Scopes | undefined;

  constructor(
    private readonly parent: Scopes | undefined,
    private readonly make: (parent: Scopes) => Scopes,
  ) {}

  get scope(): Scope {
    return this.materialize().scope;
  }

  get isolationScope(): Scope {
    return this.materialize().isolationScope;
  }

  peek(): Scopes {
    return this.made ?? viewOf(this.parent);
  }

  private materialize(): Scopes {
    // A deferred parent is made through its getters as `make` reads them.
    this.made ??= this.make(this.parent ?? defaultScopes());
    return this.made;
  }
}

function viewOf(scopes: Scopes | undefined): Scopes {
  if (scopes === undefined) return defaultScopes();
  return scopes instanceof DeferredScopes ? scopes.peek() : scopes;
}

let installed: AsyncContextStrategy | undefined;

/**
 * True while Sentry's scopes live in the shared storage: the strategy Sentry uses is the one installed here (a
 * later `Sentry.init` puts Sentry's own back, and forks made here would then be invisible to it).
 */
export function sharesStorageWithSentry(): boolean {
  return installed !== undefined && getAsyncContextStrategy(getMainCarrier()) === installed;
}

/**
 * Runs `callback` in a fork whose scopes `make` builds from the current ones, on first use while Sentry keeps
 * the shared strategy (`make` is then never called for a request that touches no scope), at once otherwise.
 */
export function runWithDeferredScopes<T>(make: (parent: Scopes) => Scopes, callback: () => T): T {
  if (sharesStorageWithSentry()) return runWithScopes(new DeferredScopes(storage.getStore()?.scopes, make), callback);
  const { scope, isolationScope } = make({ scope: getCurrentScope(), isolationScope: getIsolationScope() });
  return withIsolationScope(isolationScope, () => withScope(scope, callback));
}

/**
 * The current and isolation scopes as a reader sees them, without making a deferred fork's scopes: a fork not
 * made yet holds what its parent holds (plus request data that no reader here needs). Anywhere else, Sentry's
 * own, through whichever strategy it uses.
 */
export function scopesInView(): Scopes {
  const scopes = storage.getStore()?.scopes;
  if (scopes instanceof DeferredScopes) return scopes.peek();
  return { scope: getCurrentScope(), isolationScope: getIsolationScope() };
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
  installed = {
    withScope: (callback) => {
      const forked = currentScope().clone();
      return runWithScopes({ scope: forked, isolationScope: currentIsolationScope() }, () => callback(forked));
    },
    withSetScope: (scope, callback) =>
      runWithScopes({ scope, isolationScope: currentIsolationScope() }, () => callback(scope)),
    withIsolationScope: (callback) => {
      const forkedScope = currentScope().clone();
      const forkedIsolationScope = currentIsolationScope().clone();
      if (!isContinuingTrace(forkedScope.getPropagationContext())) {
        forkedScope.setPropagationContext({ traceId: generateTraceId(), sampleRand: Math.random() });
      }
      return runWithScopes({ scope: forkedScope, isolationScope: forkedIsolationScope }, () =>
        callback(forkedIsolationScope),
      );
    },
    withSetIsolationScope: (isolationScope, callback) =>
      runWithScopes({ scope: currentScope().clone(), isolationScope }, () => callback(isolationScope)),
    getCurrentScope: currentScope,
    getIsolationScope: currentIsolationScope,
  };
  setAsyncContextStrategy(installed);
}
