// The OpenTelemetry context and Sentry's scopes in one AsyncLocalStorage (shared-storage.ts): each half must
// flow exactly as it would in a storage of its own.
import { setTimeout as sleep } from 'node:timers/promises';
import { EventEmitter } from 'node:events';
import { context, createContextKey, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import {
  getAsyncContextStrategy,
  getDefaultCurrentScope,
  getDefaultIsolationScope,
  getGlobalScope,
  getMainCarrier,
  setAsyncContextStrategy,
} from '@sentry/core';
import * as Sentry from '@sentry/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  globalScope,
  runWithDeferredScopes,
  scopesInView,
  SharedContextManager,
  sharesStorageWithSentry,
  shareStorageWithSentry,
  type Scopes,
} from '../../../src/telemetry/scopes/shared-storage.js';

const KEY = createContextKey('test.value');
const spanContext = { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), traceFlags: 1 };

describe('shared storage for the OpenTelemetry context and Sentry scopes', () => {
  beforeAll(() => {
    Sentry.init({
      dsn: 'http://key@127.0.0.1:9/1',
      defaultIntegrations: false,
      transport: () => ({ send: async () => ({}), flush: async () => true }),
    });
    context.setGlobalContextManager(new SharedContextManager().enable());
    shareStorageWithSentry();
  });
  afterAll(async () => {
    context.disable();
    await Sentry.close();
  });

  it('leaving the trace (ROOT_CONTEXT) keeps the isolation scope, across awaits', async () => {
    const seen = await Sentry.withIsolationScope(async (isolation) => {
      isolation.setTag('request', 'r1');
      return context.with(ROOT_CONTEXT, async () => {
        await sleep(1);
        return {
          same: Sentry.getIsolationScope() === isolation,
          tag: Sentry.getIsolationScope().getScopeData().tags.request,
        };
      });
    });
    expect(seen).toEqual({ same: true, tag: 'r1' });
    expect(Sentry.getIsolationScope()).toBe(getDefaultIsolationScope());
  });

  it('forking scopes keeps the active context and span', async () => {
    const active = trace.setSpanContext(ROOT_CONTEXT, spanContext).setValue(KEY, 'v');
    const seen = await context.with(active, () =>
      Sentry.withScope(async () => {
        await sleep(1);
        return Sentry.withIsolationScope(() => ({
          value: context.active().getValue(KEY),
          span: trace.getActiveSpan()?.spanContext().spanId,
        }));
      }),
    );
    expect(seen).toEqual({ value: 'v', span: spanContext.spanId });
  });

  it('concurrent requests keep their own scopes and contexts', async () => {
    const request = (id: string, delay: number): Promise<unknown> =>
      Sentry.withIsolationScope(async () => {
        Sentry.setTag('request', id);
        return context.with(context.active().setValue(KEY, id), async () => {
          await sleep(delay);
          Sentry.withScope((scope) => scope.setTag('inner', id));
          await sleep(delay);
          return { tag: Sentry.getIsolationScope().getScopeData().tags.request, value: context.active().getValue(KEY) };
        });
      });
    const results = await Promise.all([request('a', 8), request('b', 1), request('c', 4)]);
    expect(results).toEqual([
      { tag: 'a', value: 'a' },
      { tag: 'b', value: 'b' },
      { tag: 'c', value: 'c' },
    ]);
  });

  it('a listener bound to a context runs in that context, with the scopes of the code that emits', () => {
    const emitter = context.bind(context.active().setValue(KEY, 'bound'), new EventEmitter());
    let seen: unknown;
    emitter.on('event', () => {
      seen = { value: context.active().getValue(KEY), tag: Sentry.getIsolationScope().getScopeData().tags.emitter };
    });
    Sentry.withIsolationScope((isolation) => {
      isolation.setTag('emitter', 'emitting code');
      emitter.emit('event');
    });
    expect(seen).toEqual({ value: 'bound', tag: 'emitting code' });
  });

  it('attach sets a context for the current flow, keeps the scopes, and dispose restores the previous one', () => {
    Sentry.withIsolationScope((isolation) => {
      const token = new SharedContextManager().attach(ROOT_CONTEXT.setValue(KEY, 'attached'));
      expect(context.active().getValue(KEY)).toBe('attached');
      expect(Sentry.getIsolationScope()).toBe(isolation);
      token.dispose();
      expect(context.active().getValue(KEY)).toBeUndefined();
      expect(Sentry.getIsolationScope()).toBe(isolation);
    });
  });

  describe('a deferred fork (a request whose scopes are made on first use)', () => {
    function deferredFork(tag: string): { made: Scopes[]; make: (parent: Scopes) => Scopes } {
      const made: Scopes[] = [];
      const make = (parent: Scopes): Scopes => {
        const scopes = { scope: parent.scope.clone(), isolationScope: parent.isolationScope.clone() };
        scopes.isolationScope.setTag('fork', tag);
        made.push(scopes);
        return scopes;
      };
      return { made, make };
    }

    it('makes nothing while no scope is read or written, and readers see the parent scopes meanwhile', async () => {
      const { made, make } = deferredFork('a');
      await runWithDeferredScopes(make, async () => {
        await sleep(1);
        const view = scopesInView();
        expect(view.scope).toBe(getDefaultCurrentScope());
        expect(view.isolationScope).toBe(getDefaultIsolationScope());
      });
      expect(made).toHaveLength(0);
    });

    it('makes the pair once, on first use, and every frame of the fork sees that pair', async () => {
      const { made, make } = deferredFork('b');
      const seen = await runWithDeferredScopes(make, async () => {
        const early = context.with(ROOT_CONTEXT.setValue(KEY, 'x'), () =>
          sleep(2).then(() => Sentry.getIsolationScope()),
        );
        await sleep(1);
        Sentry.setTag('user-tag', 'b');
        const view = scopesInView();
        return { early: await early, now: Sentry.getIsolationScope(), current: Sentry.getCurrentScope(), view };
      });
      expect(made).toHaveLength(1);
      const [pair] = made;
      expect(seen.early).toBe(pair?.isolationScope);
      expect(seen.now).toBe(pair?.isolationScope);
      expect(seen.current).toBe(pair?.scope);
      expect(seen.view).toBe(pair);
      expect(pair?.isolationScope.getScopeData().tags).toEqual({ fork: 'b', 'user-tag': 'b' });
      expect(getDefaultIsolationScope().getScopeData().tags['user-tag']).toBeUndefined();
    });

    it('concurrent deferred forks never share what they write', async () => {
      const run = (id: string): Promise<unknown> =>
        runWithDeferredScopes(deferredFork(id).make, async () => {
          await sleep(id.length);
          Sentry.setTag('request', id);
          await sleep(3 - id.length);
          return Sentry.getIsolationScope().getScopeData().tags;
        });
      expect(await Promise.all([run('r'), run('rr')])).toEqual([
        { fork: 'r', request: 'r' },
        { fork: 'rr', request: 'rr' },
      ]);
    });

    it('is only used while Sentry keeps the shared strategy: a strategy installed later (Sentry.init) turns it off', () => {
      expect(sharesStorageWithSentry()).toBe(true);
      const shared = getAsyncContextStrategy(getMainCarrier());
      try {
        setAsyncContextStrategy({ ...shared });
        expect(sharesStorageWithSentry()).toBe(false);
      } finally {
        shareStorageWithSentry();
      }
      expect(sharesStorageWithSentry()).toBe(true);
    });

    it("under a strategy installed later, the fork is made at once and runs through Sentry's own API", () => {
      const shared = getAsyncContextStrategy(getMainCarrier());
      const { made, make } = deferredFork('eager');
      try {
        setAsyncContextStrategy({ ...shared });
        const tag = runWithDeferredScopes(make, () => {
          expect(made).toHaveLength(1);
          return {
            tag: Sentry.getIsolationScope().getScopeData().tags.fork,
            same: Sentry.getCurrentScope() === made[0]?.scope,
          };
        });
        expect(tag).toEqual({ tag: 'eager', same: true });
      } finally {
        shareStorageWithSentry();
      }
    });

    it('a fork inside a deferred fork is made from the outer one, which it makes', () => {
      const outer = deferredFork('outer');
      const inner = deferredFork('inner');
      const tags = runWithDeferredScopes(outer.make, () =>
        runWithDeferredScopes(inner.make, () => {
          expect(scopesInView().isolationScope).toBe(getDefaultIsolationScope());
          return Sentry.getIsolationScope().getScopeData().tags;
        }),
      );
      expect(outer.made).toHaveLength(1);
      expect(inner.made).toHaveLength(1);
      expect(tags).toEqual({ fork: 'inner' });
      expect(inner.made[0]?.isolationScope).not.toBe(outer.made[0]?.isolationScope);
    });

    it("reads Sentry's default and global scopes again once its carrier is replaced", () => {
      const global = globalThis as Record<string, unknown>;
      const CARRIER = '__SENTRY__';
      const saved = global[CARRIER];
      const { make } = deferredFork('reset');
      const before = runWithDeferredScopes(make, () => ({ view: scopesInView(), global: globalScope() }));
      expect(before.view.scope).toBe(getDefaultCurrentScope());
      expect(before.global).toBe(getGlobalScope());
      try {
        // What resetting Sentry's globals does: a new carrier, whose singletons are new scopes.
        global[CARRIER] = undefined;
        shareStorageWithSentry();
        const after = runWithDeferredScopes(make, () => ({ view: scopesInView(), global: globalScope() }));
        expect(after.view.scope).not.toBe(before.view.scope);
        expect(after.view.scope).toBe(getDefaultCurrentScope());
        expect(after.view.isolationScope).toBe(getDefaultIsolationScope());
        expect(after.global).not.toBe(before.global);
        expect(after.global).toBe(getGlobalScope());
      } finally {
        global[CARRIER] = saved;
        shareStorageWithSentry();
      }
      expect(globalScope()).toBe(before.global);
    });
  });
});
