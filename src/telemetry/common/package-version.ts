/** The layer's own package.json: its version for the start-up line and `doctor`, its folder for paths in it. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * The package's folder: the nearest one above this module holding a package.json. Found, not computed from a
 * fixed depth, since the build bundles the modules into files at other depths (scripts/bundle.mjs).
 */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  root = dir;
  return root;
}

/** The package's package.json, parsed; undefined when it cannot be read. */
export function packageManifest(): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    // Only used for messages; the callers say what they show without it.
    return undefined;
  }
}

export function packageVersion(): string {
  // Only shown in messages; a packaging that moved package.json shows 'unknown'.
  const version = packageManifest()?.version;
  return typeof version === 'string' ? version : 'unknown';
}
