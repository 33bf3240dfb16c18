/** How pattern lists match, in one place so the sampler, the propagator and the docs agree. */
import type { Pattern } from './types.js';

function test(pattern: Pattern, value: string): boolean {
  if (typeof pattern === 'string') return value.includes(pattern);
  // A user regex with `g`/`y` keeps lastIndex between calls; reset it so the answer never depends on history.
  pattern.lastIndex = 0;
  return pattern.test(value);
}

/** Sentry's `stringMatchesSomePattern`: a string matches as a substring, a RegExp by `test`. */
export function matchesSomePattern(value: string, patterns: readonly Pattern[]): boolean {
  return patterns.some((pattern) => test(pattern, value));
}

/**
 * Ignored request paths: a string names one path exactly (a substring would make `/health` swallow
 * `/healthy-recipes`), ignoring the query and a trailing slash; a RegExp is tested against the path.
 */
export function pathIsIgnored(path: string, patterns: readonly Pattern[]): boolean {
  // Every request's server span passes here twice (the HTTP hook, the sampler): no array or closure per call.
  const query = path.indexOf('?');
  const bare = query === -1 ? path : path.slice(0, query);
  const trimmed = bare.length > 1 && bare.endsWith('/') ? bare.slice(0, -1) : bare;
  for (const pattern of patterns) {
    if (typeof pattern === 'string' ? trimmed === pattern : test(pattern, bare)) return true;
  }
  return false;
}
