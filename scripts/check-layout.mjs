#!/usr/bin/env node
// The rooms of src/telemetry and the direction of their imports (docs/architecture.md). Run by `npm run lint`.
// A room imports only from itself and from rooms ranked below it, so the data flow reads from the folder tree and
// no two modules depend on each other; a room that grows past its file limit is a sign it holds two concerns.
// Usage: node scripts/check-layout.mjs [repository root]. Exits 1 with one line per problem.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Lowest first: each room may import the rooms before it. `index.ts`, the public entry, sits above them all. */
export const ROOMS = [
  'common',
  'config',
  'redaction',
  'sampling',
  'scopes',
  'propagation',
  'export',
  'logs',
  'sentry',
  'otel',
  'profiling',
  'lifecycle',
  'api',
];
/**
 * Files per room, sub-folders included. `config/` holds one reader per source of settings; `logs/` is a whole
 * signal (its sources, its pipeline and its two exporters), as small a room as it can be.
 */
export const DEFAULT_FILE_LIMIT = 12;
export const FILE_LIMITS = { config: 18, logs: 14 };
const ROOT_FILES = new Set(['index.ts']);

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\1/g;

function listTs(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listTs(full));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

function roomOf(base, file) {
  const rel = path.relative(base, file).split(path.sep);
  return rel.length === 1 ? undefined : rel[0];
}

function rankOf(room) {
  return room === undefined ? ROOMS.length : ROOMS.indexOf(room);
}

/** Strongly connected components of more than one file (Tarjan), each a cycle of imports. */
function cycles(graph) {
  let index = 0;
  const stack = [];
  const state = new Map();
  const found = [];
  const visit = (node) => {
    const entry = { index, low: index, onStack: true };
    index++;
    state.set(node, entry);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const seen = state.get(next);
      if (seen === undefined) {
        visit(next);
        entry.low = Math.min(entry.low, state.get(next).low);
      } else if (seen.onStack) entry.low = Math.min(entry.low, seen.index);
    }
    if (entry.low === entry.index) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        state.get(member).onStack = false;
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

export function checkLayout(repoRoot) {
  const base = path.join(repoRoot, 'src/telemetry');
  const problems = [];
  const files = listTs(base);
  const counts = new Map();
  const graph = new Map();
  for (const file of files) {
    const rel = path.relative(base, file);
    const room = roomOf(base, file);
    if (room === undefined && !ROOT_FILES.has(rel)) {
      problems.push(`${rel}: a file outside the rooms; put it in one of ${ROOMS.join(', ')}`);
    } else if (room !== undefined && !ROOMS.includes(room)) {
      problems.push(
        `${rel}: ${room}/ is not a room; add it to ROOMS in scripts/check-layout.mjs and to docs/architecture.md`,
      );
    }
    if (room !== undefined) counts.set(room, (counts.get(room) ?? 0) + 1);
    const edges = [];
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(SPECIFIER)) {
      const target = path.resolve(path.dirname(file), match[2]).replace(/\.js$/, '.ts');
      if (!target.startsWith(base + path.sep)) continue;
      const targetRel = path.relative(base, target);
      edges.push(targetRel);
      const to = roomOf(base, target);
      if (room !== to && rankOf(to) > rankOf(room)) {
        problems.push(
          `${rel}: imports ${targetRel}, but ${room ?? 'the entry'} ranks below ${to}; ` +
            `rooms import only downward (${ROOMS.join(' < ')})`,
        );
      }
    }
    graph.set(rel, edges);
  }
  for (const component of cycles(graph)) problems.push(`import cycle: ${component.join(' <-> ')}`);
  for (const [room, count] of counts) {
    const limit = FILE_LIMITS[room] ?? DEFAULT_FILE_LIMIT;
    if (count > limit) {
      problems.push(
        `${room}/: ${count} files, over its limit of ${limit}; split the room by concern (or raise the limit in scripts/check-layout.mjs, with the reason)`,
      );
    }
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
  const problems = checkLayout(root);
  for (const problem of problems) console.error(`check-layout: ${problem}`);
  if (problems.length > 0) process.exit(1);
  console.log(`check-layout: ${ROOMS.length} rooms, imports downward, no cycles`);
}
