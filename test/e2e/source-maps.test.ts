// A compiled TypeScript app: the bootstrap turns source maps on, so Sentry's frames point at the .ts source.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeAfterTest, repoRoot, request, startApp, startFakeSentry, useKitCleanup } from '../kit/index.js';

useKitCleanup();

function compileFixture(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'osb-ts-app-'));
  // The app imports the package by name, as a user's app would; the package resolves its own dependencies.
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(repoRoot, path.join(dir, 'node_modules', 'otel-sentry-bridge'), 'dir');
  symlinkSync(path.join(repoRoot, 'node_modules', '@types'), path.join(dir, 'node_modules', '@types'), 'dir');
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'ts-app', type: 'module' }));
  mkdirSync(path.join(dir, 'typescript-app'));
  const source = path.join(dir, 'typescript-app', 'app.ts');
  copyFileSync(path.join(repoRoot, 'test', 'fixtures', 'typescript-app', 'app.ts'), source);
  execFileSync(
    process.execPath,
    [
      path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'),
      '--outDir',
      path.join(dir, 'dist'),
      '--rootDir',
      path.join(dir, 'typescript-app'),
      '--module',
      'nodenext',
      '--target',
      'es2022',
      '--sourceMap',
      '--skipLibCheck',
      '--types',
      'node',
      source,
    ],
    { cwd: dir },
  );
  return path.join(dir, 'dist', 'app.js');
}

describe('TypeScript stack traces', () => {
  it('reach Sentry with the .ts file and line', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    // No --enable-source-maps: the bootstrap turns source maps on itself.
    const app = await startApp(compileFixture(), {
      sourceMaps: false,
      env: { SENTRY_DSN: sentry.dsn, TELEMETRY_EXPORTERS: 'none' },
    });
    await request(app.url);
    const [event] = await sentry.waitForEvents((e) => e.exception?.values?.[0]?.value === 'typescript failure');
    const frames = event?.exception?.values?.[0]?.stacktrace?.frames ?? [];
    const own = frames.find((frame) => frame.function === 'failHere');
    expect(own?.filename).toMatch(/typescript-app\/app\.ts$/);
    expect(own?.lineno).toBe(6);
    await app.kill();
  });
});
