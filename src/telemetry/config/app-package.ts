/**
 * The application's own package.json: it names the service and the default release. Found by walking up from
 * the entry script, then from the working directory.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';

export interface AppPackage {
  name: string;
  version?: string;
  /** The folder holding the package.json. */
  dir: string;
}

/**
 * The folders to search from: the app's folder (a file path counts as its folder), then cwd. An entry script
 * inside node_modules is a launcher (a test runner, nodemon, a CLI), not the app: its package would name the
 * tool, so only cwd is searched then.
 */
export function searchRoots(appPath: string | undefined, cwd: string): string[] {
  const roots: string[] = [];
  if (appPath !== undefined) {
    const absolute = resolve(cwd, appPath);
    const stats = statSync(absolute, { throwIfNoEntry: false });
    const dir = stats?.isDirectory() === true ? absolute : dirname(absolute);
    if (!dir.split(sep).includes('node_modules')) roots.push(dir);
  }
  roots.push(resolve(cwd));
  return roots;
}

export function* ancestors(start: string): Generator<string> {
  let dir = start;
  for (;;) {
    yield dir;
    const parent = dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

/**
 * The nearest package.json that has a name. Nameless ones are skipped: build folders often hold a stub such as
 * `{"type":"module"}` that says nothing about the application.
 */
export function findAppPackage(roots: readonly string[]): AppPackage | undefined {
  for (const root of roots) {
    for (const dir of ancestors(root)) {
      const found = readPackage(dir);
      if (found) return found;
    }
  }
  return undefined;
}

function readPackage(dir: string): AppPackage | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  } catch {
    // Missing or unreadable: keep walking up.
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { name, version } = parsed as { name?: unknown; version?: unknown };
  if (typeof name !== 'string' || name.trim() === '') return undefined;
  const result: AppPackage = { name: name.trim(), dir };
  if (typeof version === 'string' && version.trim() !== '') result.version = version.trim();
  return result;
}
