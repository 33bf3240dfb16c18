/**
 * The current commit, read from `.git` on disk. Spawning git at start-up would cost tens of milliseconds, fail
 * in images without git, and run a binary from PATH inside every service process.
 */
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ancestors } from './app-package.js';

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
const MAX_SYMREF_DEPTH = 5;

interface GitDirs {
  /** Per-worktree folder: HEAD and per-worktree refs. */
  gitDir: string;
  /** Shared folder: branches, tags and packed-refs (the same as gitDir outside linked worktrees). */
  commonDir: string;
}

/** The full sha of HEAD in the first repository found above any of `roots`, or undefined. */
export function readHeadSha(roots: readonly string[]): string | undefined {
  for (const root of roots) {
    for (const dir of ancestors(root)) {
      const dirs = locateGitDirs(dir);
      if (dirs) return resolveHead(dirs);
    }
  }
  return undefined;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    // No such file is the answer for most of the paths tried (a repository without packed refs, ...).
    return undefined;
  }
}

function locateGitDirs(dir: string): GitDirs | undefined {
  const dotGit = join(dir, '.git');
  const stats = statSync(dotGit, { throwIfNoEntry: false });
  let gitDir: string;
  if (stats?.isDirectory() === true) {
    gitDir = dotGit;
  } else if (stats?.isFile() === true) {
    // Linked worktrees and submodules: `.git` is a file holding `gitdir: <path>`.
    const pointer = /^gitdir:\s*(.+?)\s*$/m.exec(readText(dotGit) ?? '');
    if (!pointer?.[1]) return undefined;
    gitDir = resolve(dir, pointer[1]);
  } else {
    return undefined;
  }
  const common = readText(join(gitDir, 'commondir'))?.trim();
  return { gitDir, commonDir: common ? resolve(gitDir, common) : gitDir };
}

function resolveHead(dirs: GitDirs): string | undefined {
  const head = readText(join(dirs.gitDir, 'HEAD'))?.trim();
  if (head === undefined) return undefined;
  return resolveValue(dirs, head, 0);
}

/** A HEAD or ref file's content: a sha (detached HEAD) or `ref: <name>`. */
function resolveValue(dirs: GitDirs, value: string, depth: number): string | undefined {
  if (SHA.test(value)) return value;
  const symbolic = /^ref:\s*(\S+)$/.exec(value);
  if (!symbolic?.[1] || depth >= MAX_SYMREF_DEPTH) return undefined;
  return resolveRef(dirs, symbolic[1], depth + 1);
}

function resolveRef(dirs: GitDirs, ref: string, depth: number): string | undefined {
  // Refuse anything that could escape the git folder.
  if (!ref.startsWith('refs/') || ref.split('/').includes('..')) return undefined;
  for (const base of new Set([dirs.gitDir, dirs.commonDir])) {
    const loose = readText(join(base, ref))?.trim();
    if (loose !== undefined && loose !== '') return resolveValue(dirs, loose, depth);
  }
  return lookupPackedRef(dirs.commonDir, ref);
}

function lookupPackedRef(commonDir: string, ref: string): string | undefined {
  const packed = readText(join(commonDir, 'packed-refs'));
  if (packed === undefined) return undefined;
  for (const line of packed.split('\n')) {
    // `#` starts the header, `^` the peeled target of the tag above: neither names a ref.
    if (line.startsWith('#') || line.startsWith('^')) continue;
    const [sha, name] = line.trim().split(/\s+/);
    if (name === ref && sha !== undefined && SHA.test(sha)) return sha;
  }
  return undefined;
}
