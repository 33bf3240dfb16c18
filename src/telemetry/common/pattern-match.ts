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
  const bare = path.split('?', 1)[0] ?? path;
  const trimmed = bare.length > 1 && bare.endsWith('/') ? bare.slice(0, -1) : bare;
  return patterns.some((pattern) => (typeof pattern === 'string' ? trimmed === pattern : test(pattern, bare)));
}
