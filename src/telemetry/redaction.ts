/**
 * One set of scrubbing rules for everything that leaves the process: Sentry events, breadcrumbs, span
 * attributes and span events. Two kinds of rules:
 * - secrets (credentials, tokens, API keys, the DSN key) are always removed: nothing ever needs them downstream;
 * - personal data (emails, cookies) is removed unless `sentry.sendDefaultPii` allows it, as Sentry does.
 * Rules look at keys (a header or field named like a secret) and at values (a bearer token or a URL with
 * credentials inside any string), because secrets end up in free text as often as in named fields.
 */
import type { AttributeValue, Attributes } from '@opentelemetry/api';
import type { TelemetryConfig } from './types.js';

export const FILTERED = '[Filtered]';

/** Field or header names whose string values are secrets whatever PII setting. */
const SECRET_KEY =
  /^(?:x-)?(?:authorization|proxy-authorization|api[-_]?key|auth[-_]?token|access[-_]?token|refresh[-_]?token|id[-_]?token|token|secret|client[-_]?secret|password|passwd|pwd|session[-_]?id|csrf[-_]?token|xsrf[-_]?token|sentry[-_]?auth|private[-_]?key|credentials?|dsn|signature)$/;
/** Substrings that mark a key as secret wherever they appear (`db_password`, `stripe_api_key`, ...). */
const SECRET_KEY_PART = /password|passwd|secret|api[-_]?key|apikey|private[-_]?key|auth[-_]?token|access[-_]?token/;
/** Field or header names that carry personal data, removed unless PII is allowed. */
const PII_KEY = /^(?:cookie|cookies|set-cookie|email|e-mail|ip_address)$/;

// Basic needs a digit or padding so that prose such as "Basic information" survives.
const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]{6,}|\b(Basic)\s+(?=[A-Za-z0-9+/]*[0-9+/=])[A-Za-z0-9+/]{8,}={0,2}/gi;
/** `scheme://user:password@host`: keep the scheme and host, drop the credentials. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s:@?#]+(?::[^/\s@?#]*)?@/gi;
/** `key=value` pairs in query strings, form bodies, `X-Sentry-Auth` headers and log lines. */
const SECRET_PAIR =
  /\b(sentry_key|sentry_secret|session(?:_?id)?|sid|jsessionid|phpsessid|api[-_]?key|apikey|access_token|refresh_token|id_token|auth[-_]?token|token|password|passwd|secret|client_secret|signature|sig)=([^&#\s,;"']+)/gi;
/** A cookie quoted in free text (`cookie: a=b; c=d`): the whole value up to the end of the header. */
const COOKIE_TEXT = /\b((?:set-)?cookie)\b(["']?\s*[:=]?\s*["']?)([^\s"',;=]+=[^\s"',;]*(?:;\s*[^\s"',;=]+=[^\s"',;]*)*)/gi;
/**
 * A secret header quoted in free text (`X-API-Key: abc123`, `x-api-key dev-key-001`, as start-up logs print keys,
 * which the console integration turns into breadcrumbs). The value must hold a digit, so prose such as
 * "the X-API-Key header" survives. Bounded gaps keep it linear on long runs of spaces.
 */
const SECRET_HEADER_TEXT = /\b((?:x-)?(?:api[-_]?key|auth[-_]?token|access[-_]?token))(["']?\s{0,4}[:=]?\s{0,4}["']?)(?=[^\s"',;&?#=[\]<>]*\d)([^\s"',;&?#=[\]<>]{6,})/gi;
const SECRET_HEADER_HINT = /api[-_]?key|auth[-_]?token|access[-_]?token/i;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g;
/** Provider keys with a recognisable prefix (OpenAI, Stripe, GitHub, Slack). */
const PREFIXED_KEY = /\b(?:sk|pk|rk)-(?:proj-|live-|test-)?[A-Za-z0-9_-]{16,}|\bgh[pousr]_[A-Za-z0-9]{20,}|\bxox[abposr]-[A-Za-z0-9-]{10,}/g;
// Bounded parts (RFC 5321 lengths): with unbounded runs, a long word in a text that holds an '@' somewhere made
// this regex quadratic (a 200 KB error message took over a minute).
// `%40` too: an email in a query string (`url.query`, `url.full`) arrives percent-encoded.
const EMAIL = /[A-Za-z0-9._%+-]{1,64}(?:@|%40)(?:[A-Za-z0-9-]{1,63}\.){1,10}[A-Za-z]{2,63}/g;

/** Nested data deeper than this is cut: scrubbing must stay bounded whatever a caller passes. */
const MAX_DEPTH = 10;
/** Objects and arrays visited per scrubbed value, whatever its shape. */
const MAX_NODES = 10_000;
/** Characters of text kept per scrubbed value; the rest of a string is cut. */
const MAX_CHARS = 1_000_000;
/** How many distinct attribute or field names a redactor remembers the verdict for. */
const MAX_REMEMBERED_KEYS = 4096;
/** Values up to this length have their scrubbed form remembered (at most MAX_REMEMBERED_KEYS of them). */
const MAX_REMEMBERED_VALUE_LENGTH = 256;

export interface Redactor {
  readonly sendDefaultPii: boolean;
  /** Removes secrets (and emails when PII is off) from free text. */
  scrubString(value: string): string;
  /**
   * `value` with every rule applied; `key` is the field name the value sits under. Plain objects and arrays in
   * which nothing changed are returned as they are; any other object becomes a plain copy of its own fields.
   */
  scrubValue(value: unknown, key?: string): unknown;
  scrubAttributeValue(key: string, value: AttributeValue): AttributeValue;
  /** Returns the same object when nothing had to change, so clean spans cost no allocation. */
  scrubAttributes(attributes: Attributes): Attributes;
  /** True when a value under this field or attribute name must not leave the process. */
  isSensitiveKey(key: string): boolean;
}

function lastSegment(key: string): string {
  const lower = key.toLowerCase();
  const dot = lower.lastIndexOf('.');
  return dot === -1 ? lower : lower.slice(dot + 1);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const sharedRedactors = new WeakMap<object, Redactor>();

/**
 * The redactor of a configuration, made once: Sentry's hooks, the monitoring API and the exporters share its
 * memory of verdicts and scrubbed values, so a value is scrubbed once whichever path meets it first, and one
 * bounded memory is kept instead of one per path.
 */
export function redactorFor(config: Pick<TelemetryConfig, 'sentry'>): Redactor {
  let redactor = sharedRedactors.get(config.sentry);
  if (redactor === undefined) {
    redactor = createRedactor(config);
    sharedRedactors.set(config.sentry, redactor);
  }
  return redactor;
}

export function createRedactor(config: Pick<TelemetryConfig, 'sentry'>): Redactor {
  const sendDefaultPii = config.sentry.sendDefaultPii;
  // The DSN public key authenticates uploads to the project: it must not be copied into the data itself.
  const knownSecrets = [config.sentry.dsn?.publicKey].filter((s): s is string => typeof s === 'string' && s.length >= 8);
  const knownSecret = knownSecrets.length > 0 ? new RegExp(knownSecrets.map(escapeRegExp).join('|'), 'g') : undefined;

  const classifyKey = (key: string): boolean => {
    const name = lastSegment(key);
    if (SECRET_KEY.test(name) || SECRET_KEY_PART.test(name)) return true;
    return !sendDefaultPii && PII_KEY.test(name);
  };
  // Spans repeat a small set of attribute names, and every exported span asks about each of them: remember the
  // verdicts (bounded, so keys made from data cannot grow the map without limit).
  const keyVerdicts = new Map<string, boolean>();
  const isSensitiveKey = (key: string): boolean => {
    let verdict = keyVerdicts.get(key);
    if (verdict === undefined) {
      verdict = classifyKey(key);
      if (keyVerdicts.size < MAX_REMEMBERED_KEYS) keyVerdicts.set(key, verdict);
    }
    return verdict;
  };

  const applyRules = (value: string): string => {
    let out = value;
    // Cheap guards first: most attribute values are short identifiers that match no rule.
    if (out.includes('://')) out = out.replace(URL_CREDENTIALS, `$1${FILTERED}@`);
    if (out.includes('=')) out = out.replace(SECRET_PAIR, `$1=${FILTERED}`);
    if (out.includes(' ')) out = out.replace(BEARER, (_m, bearer: string | undefined, basic: string | undefined) => `${bearer ?? basic ?? ''} ${FILTERED}`);
    if (SECRET_HEADER_HINT.test(out)) out = out.replace(SECRET_HEADER_TEXT, `$1$2${FILTERED}`);
    if (out.includes('eyJ')) out = out.replace(JWT, FILTERED);
    if (out.includes('-') || out.includes('_')) out = out.replace(PREFIXED_KEY, FILTERED);
    if (knownSecret !== undefined) out = out.replace(knownSecret, FILTERED);
    if (!sendDefaultPii && (out.includes('@') || out.includes('%40'))) out = out.replace(EMAIL, FILTERED);
    if (!sendDefaultPii && /cookie/i.test(out)) out = out.replace(COOKIE_TEXT, `$1$2${FILTERED}`);
    return out;
  };
  // Spans of a request repeat the same short values (the user, the tenant, the route, the scope's tags on every
  // span): one lookup instead of nine scans. Emptied when full, so values made from data cannot grow it.
  const scrubbedShort = new Map<string, string>();
  const scrubString = (value: string): string => {
    if (value.length > MAX_REMEMBERED_VALUE_LENGTH) return applyRules(value);
    let clean = scrubbedShort.get(value);
    if (clean === undefined) {
      clean = applyRules(value);
      if (scrubbedShort.size >= MAX_REMEMBERED_KEYS) scrubbedShort.clear();
      scrubbedShort.set(value, clean);
    }
    return clean;
  };

  /**
   * A depth limit alone does not bound the walk: an object whose children point back at it (or share one big
   * child) is visited breadth^depth times. Ancestors cut cycles, and node and character budgets bound any shape.
   */
  const scrubValue = (value: unknown, key?: string): unknown => {
    const ancestors = new Set<object>();
    let budget = MAX_NODES;
    let chars = MAX_CHARS;
    const walk = (node: unknown, nodeKey: string | undefined, depth: number): unknown => {
      if (node === null || node === undefined) return node;
      if (nodeKey !== undefined && isSensitiveKey(nodeKey) && (typeof node === 'string' || typeof node === 'object')) {
        return FILTERED;
      }
      if (typeof node === 'string') {
        // Shared references to one big string would otherwise be scanned, and serialised, once per reference.
        const text = node.length > chars ? `${node.slice(0, Math.max(0, chars))}[Truncated]` : node;
        chars -= text.length;
        return scrubString(text);
      }
      if (typeof node !== 'object' || node instanceof Date) return node;
      if (depth >= MAX_DEPTH) return '[MaxDepth]';
      if (ancestors.has(node)) return '[Circular]';
      if (--budget < 0) return '[Truncated]';
      ancestors.add(node);
      try {
        // Copy on write: an event is mostly clean, and copying every node of it was most of the scrubbing's
        // garbage (an event carries its breadcrumbs, contexts and stack frames).
        if (Array.isArray(node)) {
          let out: unknown[] | undefined;
          for (let index = 0; index < node.length; index++) {
            const item: unknown = node[index];
            const clean = walk(item, undefined, depth + 1);
            if (clean !== item) (out ??= node.slice())[index] = clean;
          }
          return out ?? node;
        }
        // Only plain objects pass as they are: a class instance may serialise through toJSON or getters to other
        // fields than the ones scrubbed here.
        const prototype: unknown = Object.getPrototypeOf(node);
        const fields = node as Record<string, unknown>;
        let out: Record<string, unknown> | undefined = prototype === Object.prototype || prototype === null ? undefined : {};
        for (const k in fields) {
          if (!Object.hasOwn(fields, k)) continue;
          const v = fields[k];
          const clean = walk(v, k, depth + 1);
          if (out !== undefined) out[k] = clean;
          else if (clean !== v) (out = { ...fields })[k] = clean;
        }
        return out ?? node;
      } finally {
        ancestors.delete(node);
      }
    };
    return walk(value, key, 0);
  };

  const scrubAttributeValue = (key: string, value: AttributeValue): AttributeValue => {
    if (isSensitiveKey(key) && (typeof value === 'string' || Array.isArray(value))) {
      // Header attributes are string arrays (`http.request.header.cookie: ['a=b']`): keep the shape.
      return Array.isArray(value) ? value.map(() => FILTERED) : FILTERED;
    }
    if (typeof value === 'string') return scrubString(value);
    if (Array.isArray(value)) {
      // Copy on write: array attributes (`user.roles`, header values) are on most spans and almost always clean.
      let out: unknown[] | undefined;
      for (let index = 0; index < value.length; index++) {
        const item: unknown = value[index];
        if (typeof item !== 'string') continue;
        const clean = scrubString(item);
        if (clean !== item) (out ??= value.slice())[index] = clean;
      }
      return (out ?? value) as AttributeValue;
    }
    return value;
  };

  const scrubAttributes = (attributes: Attributes): Attributes => {
    let out: Attributes | undefined;
    // for...in, not Object.entries: this runs for every exported span, and the entry arrays were its garbage.
    for (const key in attributes) {
      const value = attributes[key];
      if (value === undefined || !Object.hasOwn(attributes, key)) continue;
      if (!sendDefaultPii && key.startsWith('user.') && lastSegment(key) === 'email') {
        out ??= { ...attributes };
        delete out[key];
        continue;
      }
      const clean = scrubAttributeValue(key, value);
      if (clean !== value) {
        out ??= { ...attributes };
        out[key] = clean;
      }
    }
    return out ?? attributes;
  };

  return { sendDefaultPii, scrubString, scrubValue, scrubAttributeValue, scrubAttributes, isSensitiveKey };
}
