// The public entry's emitted declarations (dist/src/telemetry/index.d.ts and every declaration it reaches),
// resolved to one text (api-surface.ts) and compared with the reviewed snapshot next to this file. The test runs
// against dist: build first (`npm test` does). After a deliberate change of the public API, update and review:
//
//   npm run test:api-snapshot        (builds, then runs this file with `vitest --update`)
//
// and commit public-api.d.ts.snap with the change; a CHANGELOG entry says what users see.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { apiSurface, unexportedReferences } from './api-surface.js';

const ENTRY = fileURLToPath(new URL('../../../dist/src/telemetry/index.d.ts', import.meta.url));

describe('the public API', () => {
  it('is what the reviewed snapshot says', async () => {
    expect(existsSync(ENTRY), `${ENTRY} is missing: run npm run build`).toBe(true);
    await expect(apiSurface(ENTRY)).toMatchFileSnapshot('./public-api.d.ts.snap');
  });

  it('exports every type its exported functions take or return', () => {
    expect(unexportedReferences(apiSurface(ENTRY))).toEqual([]);
  });
});

describe('apiSurface', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'osb-api-surface-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (files: Record<string, string>): string => {
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    return path.join(dir, 'index.d.ts');
  };
  const lib = (helper: string, option: string) => `import type { Span } from '@opentelemetry/api';
/** The options. */
export interface Options {
    ${option}
    nested?: {
        deep: Inner;
    };
}
interface Inner {
    value: number;
}
export declare function ${helper}(): void;
/** Runs fn. */
export declare function run<T>(options: Options, fn: (span: Span) => T): T;
${'//#'} sourceMappingURL=lib.d.ts.map
`;

  it('keeps exported declarations and what they reach, leaves out what they do not reach', () => {
    const surface = apiSurface(
      write({ 'index.d.ts': "export { run } from './lib.js';\n", 'lib.d.ts': lib('internalHelper', 'name: string;') }),
    );
    expect(surface).toContain(
      '/** Runs fn. */\nexport declare function run<T>(options: Options, fn: (span: Span) => T): T;',
    );
    expect(surface).toContain('/** The options. */\nexport interface Options {');
    expect(surface).toContain('interface Inner {\n    value: number;\n}');
    expect(surface).toContain("import type { Span } from '@opentelemetry/api';");
    expect(surface).not.toContain('internalHelper');
    expect(surface).not.toContain('sourceMappingURL');
    expect(unexportedReferences(surface)).toEqual(['Inner', 'Options']);
  });

  it('changes with a reached declaration only', () => {
    const before = apiSurface(
      write({
        'index.d.ts': "export { run, type Options } from './lib.js';\n",
        'lib.d.ts': lib('internalHelper', 'name: string;'),
      }),
    );
    const helperRenamed = apiSurface(write({ 'lib.d.ts': lib('otherHelper', 'name: string;') }));
    const optionChanged = apiSurface(write({ 'lib.d.ts': lib('otherHelper', 'name?: string;') }));
    expect(helperRenamed).toBe(before);
    expect(optionChanged).not.toBe(before);
    expect(unexportedReferences(before)).toEqual(['Inner']);
  });
});
