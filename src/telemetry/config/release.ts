/**
 * The release name: SENTRY_RELEASE, else `<package>@<short sha>`, else `<package>@<version>`. Sentry rejects
 * some names outright, so both the explicit and the derived one are checked against its rules.
 */
import type { AppPackage } from './app-package.js';

const SHORT_SHA_LENGTH = 7;
const MAX_RELEASE_LENGTH = 200;

export const RELEASE_ACCEPTED =
  'at most 200 characters, no newline, tab, "/" or "\\", not ".", "..", " " or "latest" (Sentry\'s rules)';

/** Why Sentry would reject this release name, or undefined when it is acceptable. */
export function releaseProblem(release: string): string | undefined {
  if (release.length > MAX_RELEASE_LENGTH) return `it is ${release.length} characters long`;
  if (/[\n\r\t/\\]/.test(release)) return 'it contains a newline, tab, "/" or "\\"';
  if (release === '.' || release === '..' || release === ' ') return 'that name is reserved';
  if (release.toLowerCase() === 'latest') return '"latest" is reserved';
  return undefined;
}

/** `@scope/pkg` becomes `scope-pkg`: Sentry forbids "/" in release names. */
function releasePackageName(name: string): string {
  return name.replace(/^@/, '').replaceAll('/', '-');
}

export function defaultRelease(pkg: AppPackage | undefined, headSha: string | undefined): string {
  const name = releasePackageName(pkg?.name ?? 'app');
  if (headSha !== undefined) return `${name}@${headSha.slice(0, SHORT_SHA_LENGTH)}`;
  return `${name}@${pkg?.version ?? '0.0.0'}`;
}
