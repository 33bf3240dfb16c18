/**
 * The per-company knowledge base: Markdown articles shipped in `knowledge/<company_id>/` (companies without
 * their own folder use `knowledge/default/`), split into one document per `## ` section and indexed with
 * MiniSearch. Searching is synchronous and in memory; the retrieval span is the caller's.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import MiniSearch from 'minisearch';
import { STOP_WORDS } from './stop-words.js';

export interface Passage {
  id: string;
  article: string;
  title: string;
  heading: string;
  text: string;
  score: number;
  /** The query's terms this passage matched (after stemming-free normalisation). */
  matchedTerms: string[];
}

export interface SearchResult {
  /** The distinct content terms of the query, as the index sees them. */
  queryTerms: string[];
  passages: Passage[];
}

interface SectionDoc {
  id: string;
  article: string;
  title: string;
  heading: string;
  text: string;
}

const DEFAULT_FOLDER = 'default';

/** One normalisation for indexing, querying and the confidence formula: lower case, no stop words. */
export function processTerm(term: string): string | null {
  const t = term.toLowerCase();
  return t.length < 3 || STOP_WORDS.has(t) ? null : t;
}

export function contentTerms(text: string): string[] {
  const tokenize = MiniSearch.getDefault('tokenize') as (text: string) => string[];
  const terms = new Set<string>();
  for (const token of tokenize(text)) {
    const term = processTerm(token);
    if (term !== null) terms.add(term);
  }
  return [...terms];
}

function parseArticle(file: string): SectionDoc[] {
  const article = path.basename(file, '.md');
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  const title =
    lines
      .find((l) => l.startsWith('# '))
      ?.slice(2)
      .trim() ?? article;
  const docs: SectionDoc[] = [];
  let heading: string | undefined;
  let body: string[] = [];
  const close = (): void => {
    const text = body.join(' ').replace(/\s+/g, ' ').trim();
    if (heading !== undefined && text !== '') {
      const slug = heading
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '');
      docs.push({ id: `${article}#${slug}`, article, title, heading, text });
    }
  };
  for (const line of lines) {
    if (line.startsWith('## ')) {
      close();
      heading = line.slice(3).trim();
      body = [];
    } else if (!line.startsWith('# ')) {
      body.push(line);
    }
  }
  close();
  return docs;
}

function buildIndex(folder: string): MiniSearch<SectionDoc> {
  const index = new MiniSearch<SectionDoc>({
    fields: ['title', 'heading', 'text'],
    storeFields: ['article', 'title', 'heading', 'text'],
    processTerm,
    searchOptions: { boost: { heading: 2, title: 1.5 }, prefix: true, fuzzy: 0.2, combineWith: 'OR' },
  });
  const files = readdirSync(folder)
    .filter((f) => f.endsWith('.md'))
    .toSorted();
  for (const file of files) index.addAll(parseArticle(path.join(folder, file)));
  return index;
}

export class KnowledgeBase {
  private readonly indexes = new Map<string, MiniSearch<SectionDoc>>();

  constructor(private readonly root: string) {
    if (!existsSync(path.join(root, DEFAULT_FOLDER))) {
      throw new Error(`knowledge base not found: ${path.join(root, DEFAULT_FOLDER)} (set KNOWLEDGE_DIR)`);
    }
  }

  /** The data source id of a company's knowledge base, as retrieval spans name it. */
  sourceFor(companyId: string): string {
    return `kb_${this.folderFor(companyId)}`;
  }

  /** Builds the indexes up front (a bad article fails start-up, not a request); returns the passage count. */
  load(companyIds: readonly string[]): number {
    let documents = 0;
    for (const id of [DEFAULT_FOLDER, ...companyIds]) documents += this.indexFor(id).documentCount;
    return documents;
  }

  search(companyId: string, query: string, limit = 3): SearchResult {
    const results = this.indexFor(companyId).search(query);
    const passages = results.slice(0, limit).map((r) => ({
      id: r.id as string,
      article: r.article as string,
      title: r.title as string,
      heading: r.heading as string,
      text: r.text as string,
      score: Math.round(r.score * 1000) / 1000,
      matchedTerms: r.queryTerms,
    }));
    return { queryTerms: contentTerms(query), passages };
  }

  private folderFor(companyId: string): string {
    // Company ids come from the database, but a path segment must never climb out of the knowledge root.
    const safe = /^[A-Za-z0-9_-]+$/.test(companyId) ? companyId : DEFAULT_FOLDER;
    return existsSync(path.join(this.root, safe)) ? safe : DEFAULT_FOLDER;
  }

  private indexFor(companyId: string): MiniSearch<SectionDoc> {
    const folder = this.folderFor(companyId);
    let index = this.indexes.get(folder);
    if (index === undefined) {
      index = buildIndex(path.join(this.root, folder));
      this.indexes.set(folder, index);
    }
    return index;
  }
}
