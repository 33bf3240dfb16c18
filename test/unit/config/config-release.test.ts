import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/telemetry/config/index.js';
import { cleanupApps, git, load, makeApp, writeFile } from './config-helpers.js';

afterAll(cleanupApps);

/** A repository holding the app's package.json, with one commit on `main`. */
function repoWithCommit(pkg: Record<string, unknown> = { name: 'demo-app', version: '1.2.3' }): {
  dir: string;
  sha: string;
} {
  const dir = makeApp(pkg);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', 'package.json');
  git(dir, 'commit', '-q', '--no-gpg-sign', '-m', 'first');
  return { dir, sha: git(dir, 'rev-parse', 'HEAD') };
}

describe('release', () => {
  it('is <package name>@<short sha> from a loose ref', async () => {
    const { dir, sha } = repoWithCommit();
    expect(readFileSync(join(dir, '.git', 'refs', 'heads', 'main'), 'utf8').trim()).toBe(sha);
    const config = await load(dir, {});
    expect(config.release).toBe(`demo-app@${sha.slice(0, 7)}`);
  });

  it('follows the commit the branch points to after another commit', async () => {
    const { dir } = repoWithCommit();
    writeFile(dir, 'app.js', 'export {};\n');
    git(dir, 'add', 'app.js');
    git(dir, 'commit', '-q', '--no-gpg-sign', '-m', 'second');
    const sha = git(dir, 'rev-parse', 'HEAD');
    expect((await load(dir, {})).release).toBe(`demo-app@${sha.slice(0, 7)}`);
  });

  it('reads packed-refs when the loose ref is gone', async () => {
    const { dir, sha } = repoWithCommit();
    git(dir, 'pack-refs', '--all', '--prune');
    expect(existsSync(join(dir, '.git', 'refs', 'heads', 'main'))).toBe(false);
    expect(readFileSync(join(dir, '.git', 'packed-refs'), 'utf8')).toContain(`${sha} refs/heads/main`);
    expect((await load(dir, {})).release).toBe(`demo-app@${sha.slice(0, 7)}`);
  });

  it('reads a detached HEAD', async () => {
    const { dir } = repoWithCommit();
    const first = git(dir, 'rev-parse', 'HEAD');
    writeFile(dir, 'b.txt', 'b\n');
    git(dir, 'add', 'b.txt');
    git(dir, 'commit', '-q', '--no-gpg-sign', '-m', 'second');
    git(dir, 'checkout', '-q', '--detach', first);
    expect(readFileSync(join(dir, '.git', 'HEAD'), 'utf8').trim()).toBe(first);
    expect((await load(dir, {})).release).toBe(`demo-app@${first.slice(0, 7)}`);
  });

  it('reads a linked worktree, whose .git is a file, on its own branch', async () => {
    const { dir } = repoWithCommit();
    const worktree = join(makeApp(null), 'wt');
    git(dir, 'worktree', 'add', '-q', '-b', 'feature', worktree);
    writeFile(worktree, 'c.txt', 'c\n');
    git(worktree, 'add', 'c.txt');
    git(worktree, 'commit', '-q', '--no-gpg-sign', '-m', 'on feature');
    const featureSha = git(worktree, 'rev-parse', 'HEAD');
    expect(readFileSync(join(worktree, '.git'), 'utf8')).toMatch(/^gitdir: /);
    const config = await load(worktree, {});
    expect(config.release).toBe(`demo-app@${featureSha.slice(0, 7)}`);
    // The main checkout still reports main's commit.
    expect((await load(dir, {})).release).toBe(`demo-app@${git(dir, 'rev-parse', 'HEAD').slice(0, 7)}`);
  });

  it('finds .git above the app folder and package.json above the entry script', async () => {
    const { dir, sha } = repoWithCommit();
    const script = writeFile(dir, 'dist/src/main.js', 'export {};\n');
    // A nameless stub package.json (as build folders hold) is skipped.
    writeFile(dir, 'dist/package.json', '{"type":"module"}');
    const elsewhere = makeApp({ name: 'not-the-app', version: '0.0.1' });
    const config = await loadConfig({ env: {}, cwd: elsewhere, appPath: script });
    expect(config.release).toBe(`demo-app@${sha.slice(0, 7)}`);
    expect(config.serviceName).toBe('demo-app');
  });

  it('is <name>@<version> on an unborn branch (no commit yet)', async () => {
    const dir = makeApp();
    git(dir, 'init', '-q', '-b', 'main');
    expect((await load(dir, {})).release).toBe('demo-app@1.2.3');
  });

  it('is <name>@<version> without .git, and SENTRY_RELEASE wins over both', async () => {
    const dir = makeApp({ name: 'billing', version: '4.0.1' });
    expect((await load(dir, {})).release).toBe('billing@4.0.1');
    const { dir: repo } = repoWithCommit();
    expect((await load(repo, { SENTRY_RELEASE: 'custom-1.0' })).release).toBe('custom-1.0');
  });

  it('turns a scoped package name into a name Sentry accepts (no "/")', async () => {
    const dir = makeApp({ name: '@acme/ingest-api', version: '2.0.0' });
    const config = await load(dir, {});
    expect(config.release).toBe('acme-ingest-api@2.0.0');
    expect(config.serviceName).toBe('@acme/ingest-api');
  });

  it('ignores an entry script inside node_modules (a launcher) and uses cwd', async () => {
    const dir = makeApp({ name: 'real-app', version: '0.3.0' });
    const tool = makeApp(null);
    writeFile(tool, 'node_modules/some-runner/package.json', '{"name":"some-runner","version":"9.9.9"}');
    const launcher = writeFile(tool, 'node_modules/some-runner/bin.js', '');
    const config = await loadConfig({ env: {}, cwd: dir, appPath: launcher });
    expect(config.release).toBe('real-app@0.3.0');
  });

  it('falls back to app@0.0.0 and unknown_service:node without any package.json', async () => {
    const dir = makeApp(null);
    const config = await load(dir, {});
    expect(config.release).toBe('app@0.0.0');
    expect(config.serviceName).toBe('unknown_service:node');
  });

  it('survives a corrupt HEAD and a broken package.json', async () => {
    const { dir } = repoWithCommit();
    writeFileSync(join(dir, '.git', 'HEAD'), 'garbage\n');
    const nested = join(dir, 'packages', 'x');
    mkdirSync(nested, { recursive: true });
    writeFileSync(join(nested, 'package.json'), '{ not json');
    expect((await load(nested, {})).release).toBe('demo-app@1.2.3');
    rmSync(join(dir, '.git', 'HEAD'));
    expect((await load(dir, {})).release).toBe('demo-app@1.2.3');
  });
});
