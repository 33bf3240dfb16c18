// The layer holds one copy of Sentry, the CommonJS build that common/sentry-node.ts and common/sentry-core.ts
// require. A value import of '@sentry/*' anywhere else in the library would load the ES build beside it (about
// 570 more modules at start-up, and a second Scope class): only `import type` may name the packages directly.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const ENTRY_POINTS = new Set([
  path.join('src', 'telemetry', 'common', 'sentry-node.ts'),
  path.join('src', 'telemetry', 'common', 'sentry-core.ts'),
]);

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(relative);
    return /\.c?ts$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [relative] : [];
  });
}

/** The `import ... from '@sentry/...'` and `import('@sentry/...')` statements of a file that load a value. */
function sentryValueImports(file: string): string[] {
  const code = readFileSync(path.join(root, file), 'utf8')
    .replaceAll(/\/\*[\s\S]*?\*\//g, '')
    .replaceAll(/^\s*\/\/.*$/gm, '');
  const statements = code.match(/\bimport\b[^;]*?['"]@sentry\/[^'"]+['"]/g) ?? [];
  return statements.filter((statement) => !/^import\s+type\b/.test(statement));
}

describe("the library's imports of Sentry", () => {
  it('go through common/sentry-node.ts and common/sentry-core.ts, except type imports', () => {
    const offenders = ['src', 'instrumentation']
      .flatMap(sourceFiles)
      .filter((file) => !ENTRY_POINTS.has(file))
      .flatMap((file) => sentryValueImports(file).map((statement) => `${file}: ${statement.replaceAll(/\s+/g, ' ')}`));
    expect(offenders).toEqual([]);
  });
});
