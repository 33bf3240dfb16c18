/**
 * Scope and breadcrumb data as span attribute values, and the joined `prefix.key` names they go under: shared by
 * the scope attributes, breadcrumb events and captured errors the bridge writes.
 */
import type { AttributeValue } from '@opentelemetry/api';

export function toAttributeValue(value: unknown): AttributeValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  try {
    return JSON.stringify(value);
  } catch {
    // A cycle or a BigInt in a tag or context value: no JSON form, so its string form instead.
    return String(value);
  }
}

/**
 * `prefix.key` attribute names (`context.field`, `data.field`), one string per pair while the pairs stay few. A
 * merge runs at every scope change the monitoring API makes (about ten per request on the support service's
 * ingest path) and every breadcrumb becomes an event, and a name joined anew is a new string each time: a
 * property store or load with it first looks it up in V8's string table, at the merge and again at every span
 * that writes the merge. Bounded, because the keys are the application's and may be unbounded (ids as keys).
 */
const JOINED_KEY_LIMIT = 1024;
const joinedKeys = new Map<string, Map<string, string>>();
let joinedKeyCount = 0;

export function joinedKey(prefix: string, key: string): string {
  let keys = joinedKeys.get(prefix);
  if (keys === undefined) joinedKeys.set(prefix, (keys = new Map()));
  let joined = keys.get(key);
  if (joined === undefined) {
    if (++joinedKeyCount > JOINED_KEY_LIMIT) {
      joinedKeys.clear();
      joinedKeyCount = 1;
      joinedKeys.set(prefix, (keys = new Map()));
    }
    joined = `${prefix}.${key}`;
    keys.set(key, joined);
  }
  return joined;
}
