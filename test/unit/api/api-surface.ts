/**
 * The public surface of an emitted `.d.ts` entry as one text: the entry's exported names, each with its
 * declaration (JSDoc included), then every declaration those reach through relative imports, by name, then the
 * names taken from other packages. Declarations the entry never reaches (a module's internal helpers) are left
 * out, and file paths never appear, so moving or splitting modules leaves the text unchanged.
 *
 * TypeScript 7 ships no JavaScript compiler API; the emitted declarations are regular enough to read line by
 * line: tsc writes each top-level statement from column 0 and indents everything inside it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface Statement {
  /** The statement with the JSDoc above it. */
  text: string;
  /** The statement without comments or string contents, for finding the names it refers to. */
  code: string;
}

interface ImportedName {
  from: string;
  name: string;
}

interface ParsedFile {
  declarations: Map<string, Statement[]>;
  /** Local name -> where it comes from (imports and `export ... from`). */
  imports: Map<string, ImportedName>;
  /** Exported name -> local name (for `export { a as b }` and `export ... from`). */
  exports: Map<string, string>;
  starExports: string[];
}

const IDENTIFIER = /[A-Za-z_$][\w$]*/g;

function stripComments(text: string): string {
  return text
    .replaceAll(/\/\*[\s\S]*?\*\//g, '')
    .replaceAll(/\/\/.*$/gm, '')
    .replaceAll(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`/g, '""');
}

function depthChange(code: string): number {
  let depth = 0;
  for (const char of code) {
    if (char === '{' || char === '(' || char === '[') depth++;
    else if (char === '}' || char === ')' || char === ']') depth--;
  }
  return depth;
}

/** Top-level statements, each with its leading JSDoc. */
function statements(source: string): Statement[] {
  const result: Statement[] = [];
  let pending: string[] = [];
  let current: string[] = [];
  let depth = 0;
  let inComment = false;
  for (const line of source.replaceAll('\r\n', '\n').split('\n')) {
    if (line.startsWith('//# sourceMappingURL')) continue;
    if (current.length === 0) {
      if (inComment || line.startsWith('/*')) {
        pending.push(line);
        inComment = !line.includes('*/');
        continue;
      }
      if (line.trim() === '' || line.startsWith('//')) continue;
    }
    current.push(line.trimEnd());
    depth += depthChange(stripComments(line));
    const trimmed = stripComments(line).trim();
    if (depth === 0 && (trimmed.endsWith(';') || trimmed.endsWith('}'))) {
      const text = [...pending, ...current].join('\n');
      result.push({ text, code: stripComments(current.join('\n')) });
      pending = [];
      current = [];
    }
  }
  return result;
}

function parseNameList(list: string): Array<{ imported: string; local: string }> {
  return list
    .split(',')
    .map((entry) => entry.trim().replace(/^type\s+/, ''))
    .filter((entry) => entry !== '')
    .map((entry) => {
      const [imported = '', local] = entry.split(/\s+as\s+/);
      return { imported, local: local ?? imported };
    });
}

const DECLARED_NAME =
  /^(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:function|class|interface|type|const|let|var|enum|namespace)\s+([A-Za-z_$][\w$]*)/;

function parse(file: string): ParsedFile {
  const parsed: ParsedFile = { declarations: new Map(), imports: new Map(), exports: new Map(), starExports: [] };
  const dir = path.dirname(file);
  for (const statement of statements(readFileSync(file, 'utf8'))) {
    const code = statement.code.replaceAll(/\s+/g, ' ').trim();
    const source = /from\s+['"]([^'"]+)['"]/.exec(statement.text)?.[1];
    const resolved = source?.startsWith('.') ? path.resolve(dir, source.replace(/\.js$/, '.d.ts')) : source;
    const names = /^(?:import|export)\s+(?:type\s+)?\{([^}]*)\}/.exec(code)?.[1];
    if (code.startsWith('import ') && resolved !== undefined) {
      for (const { imported, local } of parseNameList(names ?? ''))
        parsed.imports.set(local, { from: resolved, name: imported });
      const namespace = /^import\s+(?:type\s+)?\*\s+as\s+([\w$]+)/.exec(code)?.[1];
      if (namespace !== undefined) parsed.imports.set(namespace, { from: resolved, name: '*' });
      const defaultName = /^import\s+(?:type\s+)?([\w$]+)\s*(?:,|from)/.exec(code)?.[1];
      if (defaultName !== undefined) parsed.imports.set(defaultName, { from: resolved, name: 'default' });
      continue;
    }
    if (code.startsWith('export * from') && resolved !== undefined) {
      parsed.starExports.push(resolved);
      continue;
    }
    if (/^export\s+(?:type\s+)?\{/.test(code)) {
      for (const { imported, local } of parseNameList(names ?? '')) {
        if (resolved !== undefined) {
          // Re-exported straight from another module: an import under a name of its own.
          const alias = `${local}\u0000reexport`;
          parsed.imports.set(alias, { from: resolved, name: imported });
          parsed.exports.set(local, alias);
        } else {
          parsed.exports.set(local, imported);
        }
      }
      continue;
    }
    const declared = DECLARED_NAME.exec(code)?.[1];
    if (declared === undefined) continue;
    const list = parsed.declarations.get(declared) ?? [];
    list.push(statement);
    parsed.declarations.set(declared, list);
    if (/^export\s/.test(code)) parsed.exports.set(declared, declared);
  }
  return parsed;
}

interface Found {
  statements: Statement[];
  file: string;
}

/** Renders the public surface of `entry` (an emitted `.d.ts`) as one normalised text. */
export function apiSurface(entry: string): string {
  const cache = new Map<string, ParsedFile>();
  const fileOf = (file: string): ParsedFile => {
    let parsed = cache.get(file);
    if (parsed === undefined) {
      parsed = parse(file);
      cache.set(file, parsed);
    }
    return parsed;
  };
  const external = new Map<string, Set<string>>();

  /** The declaration of `name` as seen from `file`, following imports and re-exports. */
  const resolveLocal = (file: string, name: string, seen = new Set<string>()): Found | undefined => {
    const key = `${file}#${name}`;
    if (seen.has(key)) return undefined;
    seen.add(key);
    const parsed = fileOf(file);
    const local = parsed.declarations.get(name);
    if (local !== undefined) return { statements: local, file };
    const imported = parsed.imports.get(name);
    if (imported === undefined) return undefined;
    if (!imported.from.endsWith('.d.ts')) {
      const names = external.get(imported.from) ?? new Set<string>();
      names.add(imported.name);
      external.set(imported.from, names);
      return undefined;
    }
    return resolveExport(imported.from, imported.name, seen);
  };
  const resolveExport = (file: string, name: string, seen = new Set<string>()): Found | undefined => {
    const parsed = fileOf(file);
    const local = parsed.exports.get(name);
    if (local !== undefined) return resolveLocal(file, local, seen);
    for (const star of parsed.starExports) {
      const found = resolveExport(star, name, seen);
      if (found !== undefined) return found;
    }
    return undefined;
  };

  const entryFile = path.resolve(entry);
  const publicNames = [...fileOf(entryFile).exports.keys()].sort();
  const sections: string[] = [];
  const emitted = new Map<Statement[], string>();
  const queue: Array<{ found: Found; label: string }> = [];
  for (const name of publicNames) {
    const found = resolveExport(entryFile, name);
    if (found === undefined) throw new Error(`${name}: exported by the entry, but its declaration was not found`);
    emitted.set(found.statements, name);
    queue.push({ found, label: name });
  }
  const referenced: Array<{ label: string; text: string }> = [];
  const publicSet = new Set(publicNames);
  for (let i = 0; i < queue.length; i++) {
    const { found, label } = queue[i]!;
    const text = found.statements.map((s) => s.text).join('\n');
    if (publicSet.has(label) && i < publicNames.length) sections.push(`// ${label}\n${text}`);
    else referenced.push({ label, text });
    const own = new Set(found.statements.flatMap((s) => [...s.code.matchAll(IDENTIFIER)].map((m) => m[0])));
    for (const identifier of [...own].sort()) {
      const target = resolveLocal(found.file, identifier);
      if (target === undefined || emitted.has(target.statements)) continue;
      const targetName = DECLARED_NAME.exec(target.statements[0]!.code.trim())?.[1] ?? identifier;
      emitted.set(target.statements, targetName);
      queue.push({ found: target, label: targetName });
    }
  }
  referenced.sort((a, b) => a.label.localeCompare(b.label));
  const externals = [...external.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([from, names]) => `import type { ${[...names].sort().join(', ')} } from '${from}';`);
  return [
    '// Exported from the entry:',
    ...sections,
    '// Reached from the exports, not exported themselves:',
    ...referenced.map(({ label, text }) => `// ${label}\n${text}`),
    '// From other packages:',
    ...externals,
    '',
  ].join('\n\n');
}

/** Names the exported declarations refer to that the entry does not export (the list a user cannot import). */
export function unexportedReferences(surface: string): string[] {
  const start = surface.indexOf('// Reached from the exports, not exported themselves:');
  const end = surface.indexOf('// From other packages:');
  return [...surface.slice(start, end).matchAll(/^\/\/ ([\w$]+)$/gm)].map((m) => m[1]!);
}
