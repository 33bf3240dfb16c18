/**
 * Reading Sentry's scopes as span attributes: user, tenant, tags and contexts merged as an event captured now
 * would carry them, and remembered on the scopes until one of them changes, because span starts are frequent
 * and scope changes rare.
 */
import type { Attributes } from '@opentelemetry/api';
import type { Scope } from '@sentry/core';
import { ATTR_USER_EMAIL, ATTR_USER_ID, ATTR_USER_ROLES } from '../common/semconv.js';
import { joinedKey, toAttributeValue } from './attribute-values.js';
import { globalScope, scopesInView } from './shared-storage.js';
import { ATTR_TENANT_ID, tenantOf } from './tenant.js';

/** Contexts Sentry fills itself: they describe the SDK or the trace, not the request. */
const SENTRY_OWNED_CONTEXTS = new Set([
  'trace',
  'otel',
  'flags',
  'response',
  'state',
  'os',
  'runtime',
  'app',
  'device',
  'culture',
  'cloud_resource',
]);

export interface ScopeView {
  user: Record<string, unknown>;
  tags: Record<string, unknown>;
  contexts: Record<string, unknown>;
}

type ScopeData = ReturnType<Scope['getScopeData']>;
const NONE: Record<string, unknown> = Object.freeze({});

const isHeld = (data: ScopeData | undefined): data is ScopeData => data !== undefined;

/**
 * User, tags and contexts as an event captured now would carry them, from the data of the scopes that hold any,
 * in precedence order (global < isolation < current). The view is only read: when one scope holds data (a
 * request's isolation scope, usually) its records are the view, and a merge copies nothing.
 */
function readScopes(held: ScopeData[]): ScopeView {
  const [only] = held;
  // `??`: Sentry's scopes always hold these records, but a scope made elsewhere may not.
  if (held.length === 1 && only !== undefined) {
    return { user: only.user ?? NONE, tags: only.tags ?? NONE, contexts: only.contexts ?? NONE };
  }
  const view: ScopeView = { user: {}, tags: {}, contexts: {} };
  for (const data of held) {
    Object.assign(view.user, data.user);
    Object.assign(view.tags, data.tags);
    Object.assign(view.contexts, data.contexts);
  }
  return view;
}

/** Scope data as span attributes; tags apart, because their clash rule differs (see `writePending` in scope-to-span.ts). */
export interface ScopeAttributes {
  /** User, tenant and context attributes. */
  readonly attributes: Attributes;
  readonly tags: Attributes;
}

// for...in with own-key checks, not Object.entries: this runs at every scope change, and the entry arrays were
// most of its cost.
function scopeAttributes(view: ScopeView, sendDefaultPii: boolean): ScopeAttributes {
  const attributes: Attributes = {};
  const { user, contexts } = view;
  const id = toAttributeValue(user.id);
  if (id !== undefined) attributes[ATTR_USER_ID] = String(id);
  if (sendDefaultPii && typeof user.email === 'string') attributes[ATTR_USER_EMAIL] = user.email;
  const role = user.role ?? user.roles;
  if (typeof role === 'string') attributes[ATTR_USER_ROLES] = [role];
  else if (Array.isArray(role)) attributes[ATTR_USER_ROLES] = role.map(String);
  const company = tenantOf(view);
  if (company !== undefined) attributes[ATTR_TENANT_ID] = company;
  for (const name in contexts) {
    const data = contexts[name];
    if (!Object.hasOwn(contexts, name) || SENTRY_OWNED_CONTEXTS.has(name) || data === null || typeof data !== 'object')
      continue;
    const fields = data as Record<string, unknown>;
    for (const key in fields) {
      const attr = Object.hasOwn(fields, key) ? toAttributeValue(fields[key]) : undefined;
      if (attr !== undefined) attributes[joinedKey(name, key)] = attr;
    }
  }
  const tags: Attributes = {};
  for (const key in view.tags) {
    const attr = Object.hasOwn(view.tags, key) ? toAttributeValue(view.tags[key]) : undefined;
    if (attr !== undefined) tags[key] = attr;
  }
  return { attributes, tags };
}

function hasOwnKeys(record: object | undefined): boolean {
  if (record === undefined) return false;
  for (const key in record) if (Object.hasOwn(record, key)) return true;
  return false;
}

/**
 * What the bridge remembers about one Sentry scope, on the scope itself (a symbol property) until its next
 * change: Sentry notifies scope listeners on every `set*`, and a clone is a new object without the property.
 * Span starts are frequent and scope changes rare: `getScopeData()` builds a fourteen-field object per call, and
 * merging three scopes into attributes for every span of a request was the bridge's largest cost.
 */
interface ScopeMemo {
  generation: number;
  holdsData: boolean | undefined;
  /** On the current scope: the merged attributes of the three scopes, valid while no generation moved. */
  merged?: MergedAttributes;
}
interface MergedAttributes {
  isolation: Scope;
  global: Scope;
  generations: [number, number, number];
  sendDefaultPii: boolean;
  attributes: ScopeAttributes;
}
const MEMO = Symbol('otel-sentry-bridge.scopeMemo');
type WithMemo = Scope & { [MEMO]?: ScopeMemo };

function memoOf(scope: Scope): ScopeMemo {
  const carrier = scope as WithMemo;
  let memo = carrier[MEMO];
  if (memo === undefined) {
    const fresh: ScopeMemo = { generation: 0, holdsData: undefined };
    let lastBreadcrumb = scope.getLastBreadcrumb();
    scope.addScopeListener(() => {
      // Breadcrumbs change a request's scope more often than anything else, and they are not span attributes.
      // Each scope change notifies once, and only addBreadcrumb brings a new last one (clearBreadcrumbs empties it).
      const last = scope.getLastBreadcrumb();
      const breadcrumbAdded = last !== undefined && last !== lastBreadcrumb;
      lastBreadcrumb = last;
      if (breadcrumbAdded) return;
      fresh.generation++;
      fresh.holdsData = undefined;
    });
    carrier[MEMO] = fresh;
    memo = fresh;
  }
  return memo;
}

/**
 * The data of `scope` when it holds a user, tags or contexts, else undefined; what it held is remembered until its
 * next change, so an empty scope is read once per change, and a scope that holds data is read once per merge.
 */
function heldData(memo: ScopeMemo, scope: Scope): ScopeData | undefined {
  if (memo.holdsData === false) return undefined;
  const data = scope.getScopeData();
  memo.holdsData = hasOwnKeys(data.user) || hasOwnKeys(data.tags) || hasOwnKeys(data.contexts);
  return memo.holdsData ? data : undefined;
}

/**
 * The scope attributes a span starting now gets, or undefined when every scope is empty (most spans: they skip
 * the merge and its allocations). The merge is remembered until one of the three scopes changes.
 */
export function currentScopeAttributes(sendDefaultPii: boolean): ScopeAttributes | undefined {
  // Read without making a request's deferred scopes: every span start passes here.
  const { scope: current, isolationScope: isolation } = scopesInView();
  const global = globalScope();
  const c = memoOf(current);
  const i = memoOf(isolation);
  const g = memoOf(global);
  const merged = c.merged;
  // A merge still valid was made from scopes that held data, and still do: no generation moved.
  if (
    merged !== undefined &&
    merged.isolation === isolation &&
    merged.global === global &&
    merged.sendDefaultPii === sendDefaultPii &&
    merged.generations[0] === c.generation &&
    merged.generations[1] === i.generation &&
    merged.generations[2] === g.generation
  ) {
    return merged.attributes;
  }
  const globalData = heldData(g, global);
  const isolationData = heldData(i, isolation);
  const currentData = heldData(c, current);
  if (globalData === undefined && isolationData === undefined && currentData === undefined) return undefined;
  // The list only once some scope holds data: a span start with every scope empty (most of them) allocates nothing.
  const held = [globalData, isolationData, currentData].filter(isHeld);
  const attributes = scopeAttributes(readScopes(held), sendDefaultPii);
  c.merged = { isolation, global, generations: [c.generation, i.generation, g.generation], sendDefaultPii, attributes };
  return attributes;
}
