import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const script = path.join(repo, 'scripts/check-layout.mjs');
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A repository root holding src/telemetry with the given files (path -> source). */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'layout-'));
  dirs.push(root);
  for (const [file, text] of Object.entries(files)) {
    const full = path.join(root, 'src/telemetry', file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return root;
}

function check(root: string): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [script, root], { encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr };
}

describe('scripts/check-layout.mjs', () => {
  it('passes the repository as it is', () => {
    expect(check(repo)).toEqual({ status: 0, stderr: '' });
  });

  it('passes imports that go down or stay in the room', () => {
    const root = tree({
      'index.ts': "export { a } from './api/a.js';",
      'api/a.ts': "import { b } from '../common/b.js';\nimport type { c } from './c.js';\nexport const a = b;",
      'api/c.ts': 'export type c = 1;',
      'common/b.ts': 'export const b = 1;',
    });
    expect(check(root).status).toBe(0);
  });

  it('fails a lower room importing a higher one, type-only and dynamic imports included', () => {
    const root = tree({
      'common/b.ts': "import type { A } from '../api/a.js';\nexport const b = 1;",
      'sampling/s.ts': "export const s = () => import('../lifecycle/l.js');",
      'api/a.ts': 'export type A = 1;',
      'lifecycle/l.ts': 'export const l = 1;',
    });
    const { status, stderr } = check(root);
    expect(status).toBe(1);
    expect(stderr).toContain('common/b.ts: imports api/a.ts, but common ranks below api');
    expect(stderr).toContain('sampling/s.ts: imports lifecycle/l.ts, but sampling ranks below lifecycle');
  });

  it('fails a cycle inside a room', () => {
    const root = tree({
      'scopes/a.ts': "import { b } from './b.js';\nexport const a = b;",
      'scopes/b.ts': "import type { a } from './a.js';\nexport const b = 1;",
    });
    const { status, stderr } = check(root);
    expect(status).toBe(1);
    expect(stderr).toContain('import cycle: scopes/a.ts <-> scopes/b.ts');
  });

  it('fails a room past its file limit, a file outside the rooms and an unknown room', () => {
    const files: Record<string, string> = { 'helpers.ts': '', 'misc/x.ts': '' };
    for (let i = 0; i < 13; i++) files[`sentry/f${i}.ts`] = '';
    const { status, stderr } = check(tree(files));
    expect(status).toBe(1);
    expect(stderr).toContain('sentry/: 13 files, over its limit of 12');
    expect(stderr).toContain('helpers.ts: a file outside the rooms');
    expect(stderr).toContain('misc/x.ts: misc/ is not a room');
  });
});
