/** The layer's own version, from its package.json, for the start-up line and `doctor`. */
import { readFileSync } from 'node:fs';

export function packageVersion(): string {
  try {
    // dist/src/telemetry/common/ -> the package root.
    const url = new URL('../../../../package.json', import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    // Only shown in messages; a packaging that moved package.json shows 'unknown'.
    return 'unknown';
  }
}
