/**
 * One set of scrubbing rules for everything that leaves the process: Sentry events, breadcrumbs, span
 * attributes and span events. Two kinds of rules:
 * - secrets (credentials, tokens, API keys, the DSN key, private keys, passwords, card numbers, SSNs, IBANs) are
 *   always removed: nothing ever needs them downstream;
 * - personal data (emails, phone numbers, cookies) is removed unless `sentry.sendDefaultPii` allows it, as Sentry
 *   does.
 * Rules look at keys (a header or field named like a secret) and at values (a bearer token or a URL with
 * credentials inside any string), because secrets end up in free text as often as in named fields. Users add
 * their own patterns and key names in the config module (`scrubPatterns`, `scrubKeys`).
 */
import type { AttributeValue, Attributes } from '@opentelemetry/api';
import { IBAN_CANDIDATE, isIban, replaceNumbers, replacePemBlocks } from './sensitive-values.js';
import type { Pattern, TelemetryConfig } from '../common/types.js';

export const FILTERED = '[Filtered]';

/** Field or header names whose string values are secrets whatever PII setting. */
const SECRET_KEY =
  /^(?:x-)?(?:authorization|proxy-authorization|api[-_]?key|auth[-_]?token|access[-_]?token|refresh[-_]?token|id[-_]?token|token|secret|client[-_]?secret|password|passwd|pwd|session[-_]?id|csrf[-_]?token|xsrf[-_]?token|sentry[-_]?auth|private[-_]?key|credentials?|dsn|signature)$/;
/** Substrings that mark a key as secret wherever they appear (`db_password`, `stripe_api_key`, ...). */
const SECRET_KEY_PART = /password|passwd|secret|api[-_]?key|apikey|private[-_]?key|auth[-_]?token|access[-_]?token/;
/** Payment and identity fields: their values are secrets whatever the PII setting. */
const FINANCIAL_KEY =
  /^(?:cvv2?|cvc2?|csc|card|cards|card[-_]?(?:number|num|no)|cc[-_]?(?:number|num)|credit[-_]?card(?:[-_]?(?:number|num))?|ssn|social[-_]?security(?:[-_]?number)?|iban|account[-_]?number|routing[-_]?number)$/;
/** Field or header names that carry personal data, removed unless PII is allowed. */
const PII_KEY = /^(?:cookie|cookies|set-cookie|email|e-mail|ip_address|phone|phone[-_]?number|telephone)$/;
/**
 * Request header names whose values are credentials, session material or payment and identity data, whatever the
 * PII setting. Broader than the key rules (any name holding `token`, `session`, `card`, ...): header names are few
 * and never name figures, while span attribute keys such as `gen_ai.usage.input_tokens` do.
 */
const SECRET_HEADER_NAME =
  /authorization|cookie|token|secret|passw|api[-_]?key|session|csrf|xsrf|signature|credential|private[-_]?key|card|cvv|cvc|ssn|iban/i;

// Basic needs a digit or padding so that prose such as "Basic information" survives.
const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]{6,}|\b(Basic)\s+(?=[A-Za-z0-9+/]*[0-9+/=])[A-Za-z0-9+/]{8,}={0,2}/gi;
/** `scheme://user:password@host`: keep the scheme and host, drop the credentials. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s:@?#]+(?::[^/\s@?#]*)?@/gi;
/** `key=value` pairs in query strings, form bodies, `X-Sentry-Auth` headers and log lines. */
const SECRET_PAIR =
  /\b(sentry_key|sentry_secret|session(?:_?id)?|sid|jsessionid|phpsessid|api[-_]?key|apikey|access_token|refresh_token|id_token|auth[-_]?token|token|password|passwd|secret|client_secret|(?:aws_)?secret_access_key|signature|sig|card(?:[-_]?number)?|cc[-_]?number|cvv2?|cvc2?|ssn|iban)=([^&#\s,;"']+)/gi;
/** A cookie quoted in free text (`cookie: a=b; c=d`): the whole value up to the end of the header. */
const COOKIE_TEXT =
  /\b((?:set-)?cookie)\b(["']?\s*[:=]?\s*["']?)([^\s"',;=]+=[^\s"',;]*(?:;\s*[^\s"',;=]+=[^\s"',;]*)*)/gi;
/**
 * A secret header quoted in free text (`X-API-Key: abc123`, `x-api-key dev-key-001`, as start-up logs print keys,
 * which the console integration turns into breadcrumbs). The value must hold a digit, so prose such as
 * "the X-API-Key header" survives. Bounded gaps keep it linear on long runs of spaces.
 */
const SECRET_HEADER_TEXT =
  /\b((?:x-)?(?:api[-_]?key|auth[-_]?token|access[-_]?token))(["']?\s{0,4}[:=]?\s{0,4}["']?)(?=[^\s"',;&?#=[\]<>]*\d)([^\s"',;&?#=[\]<>]{6,})/gi;
const SECRET_HEADER_HINT = /api[-_]?key|auth[-_]?token|access[-_]?token/i;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g;
/** Provider keys with a recognisable prefix (OpenAI, Stripe, GitHub, Slack). */
const PREFIXED_KEY =
  /\b(?:sk|pk|rk)-(?:proj-|live-|test-)?[A-Za-z0-9_-]{16,}|\bgh[pousr]_[A-Za-z0-9]{20,}|\bxox[abposr]-[A-Za-z0-9-]{10,}/g;
// Bounded parts (RFC 5321 lengths): with unbounded runs, a long word in a text that holds an '@' somewhere made
// this regex quadratic (a 200 KB error message took over a minute).
// `%40` too: an email in a query string (`url.query`, `url.full`) arrives percent-encoded.
const EMAIL = /[A-Za-z0-9._%+-]{1,64}(?:@|%40)(?:[A-Za-z0-9-]{1,63}\.){1,10}[A-Za-z]{2,63}/g;

/**
 * A password or secret written in free text: `password: X`, `"password":"X"` (JSON inside a string, escaped up
 * to three times, as JSON in a GenAI message in a JSON log line is), `db_password=X`, `my password is X`. Each
 * part is bounded and the alternatives after the name are disjoint, so a match attempt costs at most a few
 * hundred steps wherever it starts.
 */
const SECRET_PHRASE =
  /(?<![A-Za-z0-9])(pass(?:word|wd|phrase|code)|pwd|secret(?:[-_]?(?:access[-_]?)?key)?|cvv2?|cvc2?)(?:(\s{1,4}(?:is|was)\s{1,4})([^\s"'<>]{1,256})|(\\{0,7}["']?[ \t]{0,4}[:=][ \t]{0,4})(?:(\\{0,7}")((?:[^"\\\n]|\\[^"]){1,256})\\{0,7}"|'([^'\n]{1,256})'|([^\s"'\\,;&<>]{1,256})))/gi;
const SECRET_PHRASE_HINT = /pass|pwd|secret|cv[vc]/i;
/** One scan that tells whether the phrase or PEM rules could apply (most values: neither). */
const WORD_RULES_HINT = /pass|pwd|secret|cv[vc]|-----BEGIN/i;
/** Country code and check digits: what every IBAN starts with. */
const IBAN_HINT = /[A-Z]{2}\d\d/;
/**
 * Seven digits, at most one separator between two of them: every card number, SSN and phone number the number
 * rules find holds such a run, and most values (paths, URLs with an IP, short ids) none. Written out rather than
 * `\d(?:[ ().-]?\d){6}`: the unrolled form scanned three times faster here, and it runs for every new value.
 */
const SEVEN_DIGITS = /\d[ ().-]?\d[ ().-]?\d[ ().-]?\d[ ().-]?\d[ ().-]?\d[ ().-]?\d/;
/** What an AWS key id or an IBAN starts with. */
const CAPITALS_HINT = /AKIA|ASIA|AIDA|AROA|AGPA|ANPA|ANVA|AIPA|[A-Z]{2}\d\d/;

/** Words that follow `password is` in prose (`my password is not working`): no password follows them. */
const NOT_A_PASSWORD = new Set(
  'not no wrong incorrect invalid expired correct required missing empty blank too the a an being still reset changed locked weak strong ok fine valid same different now set it this that also already very and or but only case sensitive'.split(
    ' ',
  ),
);
/** AWS access key ids: long-term (AKIA), temporary (ASIA) and the other IAM unique-id prefixes. */
const AWS_KEY_ID = /(?:AKIA|ASIA|AIDA|AROA|AGPA|ANPA|ANVA|AIPA)[A-Z0-9]{16}(?![A-Za-z0-9])/g;
/** A secret access key's shape: 40 base64 characters. Scrubbed only next to a key id (same text or object). */
const AWS_SECRET_SHAPE = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;

const PERCENT_ESCAPE = /%[0-9A-Fa-f]{2}/;
const PERCENT_ESCAPES = /(?:%[0-9A-Fa-f]{2})+/g;

/** `+` as a space and every well-formed run of percent escapes decoded; a malformed run stays as it is. */
function decodeForScrubbing(text: string): string {
  return text.replaceAll('+', ' ').replace(PERCENT_ESCAPES, (escapes) => {
    try {
      return decodeURIComponent(escapes);
    } catch {
      // Escapes that decode to no valid UTF-8 (the caller's text, not a failure): scrubbed as written.
      return escapes;
    }
  });
}

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

/** What the redactor reads from the configuration. */
export type RedactionConfig = Pick<TelemetryConfig, 'sentry'> & Partial<Pick<TelemetryConfig, 'scrubbing'>>;

export interface Redactor {
  readonly sendDefaultPii: boolean;
  /** Removes secrets (and emails and phone numbers when PII is off) from free text. */
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
  /** Whether a request header's value is withheld whole: the header rule, then the key rules (user keys too). */
  isSensitiveHeader(name: string): boolean;
}

function lastSegment(key: string): string {
  const lower = key.toLowerCase();
  const dot = lower.lastIndexOf('.');
  return dot === -1 ? lower : lower.slice(dot + 1);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A user pattern as a global regex: a string matches literally, a RegExp keeps its flags (`y` would stop it). */
function globalPattern(pattern: Pattern): RegExp {
  if (typeof pattern === 'string') return new RegExp(escapeRegExp(pattern), 'g');
  return new RegExp(pattern.source, `${pattern.flags.replace(/[gy]/g, '')}g`);
}

/** A user key name: a string names a key or its last segment (any case), a RegExp is tested on the whole key. */
function keyMatches(pattern: Pattern, key: string, name: string): boolean {
  if (typeof pattern === 'string') {
    const wanted = pattern.toLowerCase();
    return wanted === name || wanted === key.toLowerCase();
  }
  pattern.lastIndex = 0;
  return pattern.test(key);
}

function hasAwsKeyId(text: string): boolean {
  // Every prefix starts with `A`: a memchr-speed look first, since huge values rarely hold one.
  if (!text.includes('A')) return false;
  AWS_KEY_ID.lastIndex = 0;
  return AWS_KEY_ID.test(text);
}

/**
 * Whether a value that scrubbing changed held an AWS key id: only when a rule wrote FILTERED into what was kept.
 * A value changed only by being cut (the walk's character budget) held none in its kept part, and scanning the
 * whole original again for each such value made one hostile event take seconds.
 */
function lostAwsKeyId(original: unknown, clean: unknown): boolean {
  return typeof original === 'string' && typeof clean === 'string' && clean.includes(FILTERED) && hasAwsKeyId(original);
}

/** Strings that are whole AWS secret keys, for the fields and attributes next to a key id. */
function isAwsSecretShape(value: unknown): boolean {
  if (typeof value !== 'string' || value.length !== 40) return false;
  AWS_SECRET_SHAPE.lastIndex = 0;
  return AWS_SECRET_SHAPE.test(value);
}

type PhraseGroups = [
  string | undefined,
  string | undefined,
  string | undefined,
  string | undefined,
  string | undefined,
  string | undefined,
  string | undefined,
  string | undefined,
];

function replacePhrase(match: string, ...groups: PhraseGroups): string {
  const [name = '', isWord, isValue, separator = '', quote, quoted, singleQuoted, bare] = groups;
  if (isWord !== undefined) {
    // `the secret is out`, `cvv was ...`: only a password is introduced that way, and prose words are not one.
    const word = (isValue ?? '').replace(/[.,!?:;)]+$/, '').toLowerCase();
    if (!/^pass|^pwd/i.test(name) || NOT_A_PASSWORD.has(word)) return match;
    return `${name}${isWord}${FILTERED}`;
  }
  if (quoted !== undefined) return `${name}${separator}${quote ?? '"'}${FILTERED}${quote ?? '"'}`;
  if (singleQuoted !== undefined) return `${name}${separator}'${FILTERED}'`;
  return bare === undefined ? match : `${name}${separator}${FILTERED}`;
}

const sharedRedactors = new WeakMap<object, Redactor>();

/**
 * The redactor of a configuration, made once: Sentry's hooks, the monitoring API and the exporters share its
 * memory of verdicts and scrubbed values, so a value is scrubbed once whichever path meets it first, and one
 * bounded memory is kept instead of one per path.
 */
export function redactorFor(config: RedactionConfig): Redactor {
  let redactor = sharedRedactors.get(config.sentry);
  if (redactor === undefined) {
    redactor = createRedactor(config);
    sharedRedactors.set(config.sentry, redactor);
  }
  return redactor;
}

export function createRedactor(config: RedactionConfig): Redactor {
  const sendDefaultPii = config.sentry.sendDefaultPii;
  const userPatterns = (config.scrubbing?.patterns ?? []).map(globalPattern);
  const userKeys = config.scrubbing?.keys ?? [];
  // The DSN public key authenticates uploads to the project: it must not be copied into the data itself.
  const knownSecrets = [config.sentry.dsn?.publicKey].filter(
    (s): s is string => typeof s === 'string' && s.length >= 8,
  );
  const knownSecret = knownSecrets.length > 0 ? new RegExp(knownSecrets.map(escapeRegExp).join('|'), 'g') : undefined;

  const classifyKey = (key: string): boolean => {
    const name = lastSegment(key);
    if (SECRET_KEY.test(name) || SECRET_KEY_PART.test(name) || FINANCIAL_KEY.test(name)) return true;
    if (userKeys.some((pattern) => keyMatches(pattern, key, name))) return true;
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

  const applyValueRules = (value: string): string => {
    let out = value;
    // Cheap guards first: most attribute values are short identifiers that match no rule.
    if (out.includes('://')) out = out.replace(URL_CREDENTIALS, `$1${FILTERED}@`);
    if (out.includes('=')) out = out.replace(SECRET_PAIR, `$1=${FILTERED}`);
    if (out.includes(' '))
      out = out.replace(
        BEARER,
        (_m, bearer: string | undefined, basic: string | undefined) => `${bearer ?? basic ?? ''} ${FILTERED}`,
      );
    if (SECRET_HEADER_HINT.test(out)) out = out.replace(SECRET_HEADER_TEXT, `$1$2${FILTERED}`);
    if (out.includes('eyJ')) out = out.replace(JWT, FILTERED);
    if (out.includes('-') || out.includes('_')) out = out.replace(PREFIXED_KEY, FILTERED);
    if (knownSecret !== undefined) out = out.replace(knownSecret, FILTERED);
    if (!sendDefaultPii && (out.includes('@') || out.includes('%40'))) out = out.replace(EMAIL, FILTERED);
    if (!sendDefaultPii && /cookie/i.test(out)) out = out.replace(COOKIE_TEXT, `$1$2${FILTERED}`);
    if (WORD_RULES_HINT.test(out)) {
      if (out.includes('-----BEGIN')) out = replacePemBlocks(out, FILTERED);
      if (SECRET_PHRASE_HINT.test(out)) out = out.replace(SECRET_PHRASE, replacePhrase);
    }
    // One cheap scan decides whether the AWS and IBAN rules can run: most values (paths, routes, names, short ids)
    // hold no AWS prefix and no capitals followed by digits.
    if (CAPITALS_HINT.test(out)) {
      if (hasAwsKeyId(out)) out = out.replace(AWS_KEY_ID, FILTERED).replace(AWS_SECRET_SHAPE, FILTERED);
      // IBANs before card numbers: a bank code inside one may look like the start of a card number.
      if (IBAN_HINT.test(out)) out = out.replace(IBAN_CANDIDATE, (match) => (isIban(match) ? FILTERED : match));
    }
    if (SEVEN_DIGITS.test(out)) out = replaceNumbers(out, FILTERED, !sendDefaultPii);
    for (const pattern of userPatterns) out = out.replace(pattern, FILTERED);
    return out;
  };
  // Text in a query string or a form body arrives percent-encoded (`q=card%204111%201111...`, `url.full`,
  // `url.query`), where the rules above see no separators. The decoded form is checked too, and when it held a
  // secret, the decoded form, scrubbed, is what leaves the process.
  const applyRules = (value: string): string => {
    const out = applyValueRules(value);
    // `+` stands for a space only in a query string or form body, which holds no spaces of its own.
    const encoded =
      (value.includes('%') && PERCENT_ESCAPE.test(value)) ||
      (value.includes('+') && value.includes('=') && !value.includes(' '));
    if (!encoded) return out;
    // Decoded from the value as given: a rule applied to the encoded form may have hidden what another one needs
    // (a filtered AWS key id next to its encoded secret).
    const decoded = decodeForScrubbing(value);
    if (decoded === value) return out;
    const clean = applyValueRules(decoded);
    return clean === decoded ? out : clean;
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
    // An array, not a Set: MAX_DEPTH bounds it to a few entries, and breadcrumbs (scrubbed as they are added, on
    // every request) made the Set's allocation and hashing most of the walk.
    const ancestors: object[] = [];
    let budget = MAX_NODES;
    let chars = MAX_CHARS;
    const walk = (node: unknown, nodeKey: string | undefined, depth: number): unknown => {
      // Numbers and booleans pass whatever their key: only strings and objects are filtered by name.
      if (node === null || (typeof node !== 'string' && typeof node !== 'object')) return node;
      if (nodeKey !== undefined && isSensitiveKey(nodeKey)) return FILTERED;
      if (typeof node === 'string') {
        // Shared references to one big string would otherwise be scanned, and serialised, once per reference.
        const text = node.length > chars ? `${node.slice(0, Math.max(0, chars))}[Truncated]` : node;
        chars -= text.length;
        return scrubString(text);
      }
      if (node instanceof Date) return node;
      if (depth >= MAX_DEPTH) return '[MaxDepth]';
      if (ancestors.includes(node)) return '[Circular]';
      if (--budget < 0) return '[Truncated]';
      ancestors.push(node);
      try {
        // Copy on write: an event is mostly clean, and copying every node of it was most of the scrubbing's
        // garbage (an event carries its breadcrumbs, contexts and stack frames).
        if (Array.isArray(node)) {
          let out: unknown[] | undefined;
          let awsKeyId = false;
          for (let index = 0; index < node.length; index++) {
            const item: unknown = node[index];
            const clean = walk(item, undefined, depth + 1);
            if (clean !== item) {
              (out ??= node.slice())[index] = clean;
              awsKeyId ||= lostAwsKeyId(item, clean);
            }
          }
          if (awsKeyId && out !== undefined) {
            for (let index = 0; index < out.length; index++) if (isAwsSecretShape(out[index])) out[index] = FILTERED;
          }
          return out ?? node;
        }
        // Only plain objects pass as they are: a class instance may serialise through toJSON or getters to other
        // fields than the ones scrubbed here.
        const prototype: unknown = Object.getPrototypeOf(node);
        const fields = node as Record<string, unknown>;
        let out: Record<string, unknown> | undefined =
          prototype === Object.prototype || prototype === null ? undefined : {};
        // An AWS key id changes the value it is in (it is always scrubbed), so only changed values are checked.
        let awsKeyId = false;
        for (const k in fields) {
          if (!Object.hasOwn(fields, k)) continue;
          const v = fields[k];
          const clean = walk(v, k, depth + 1);
          if (clean !== v) awsKeyId ||= lostAwsKeyId(v, clean);
          if (out !== undefined) out[k] = clean;
          else if (clean !== v) (out = { ...fields })[k] = clean;
        }
        if (awsKeyId && out !== undefined) {
          for (const k in out) if (isAwsSecretShape(out[k])) out[k] = FILTERED;
        }
        return out ?? node;
      } finally {
        ancestors.pop();
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

  /** A `user.*` attribute whose last segment is `email` (any case) is dropped from spans whole when PII is off. */
  const dropsEmail = (key: string): boolean =>
    !sendDefaultPii && key.startsWith('user.') && lastSegment(key) === 'email';

  /**
   * What an attribute name tells the span scrubbing, learnt once per name: spans repeat a small set of names, and
   * most of them (the scope bridge's user, tenant, tags and contexts on every span of a request) repeat their
   * value too, so the last value a name held and its scrubbed form are kept beside the verdict: one lookup per
   * attribute instead of one for the name and one for the value, and no lower-cased copy of each `user.*` name.
   */
  interface AttributeName {
    readonly sensitive: boolean;
    /** `user.*email` with PII off: the attribute is dropped. */
    readonly dropped: boolean;
    lastValue: string | undefined;
    lastClean: string;
  }
  const attributeNames = new Map<string, AttributeName>();
  const attributeName = (key: string): AttributeName | undefined => {
    let name = attributeNames.get(key);
    if (name === undefined && attributeNames.size < MAX_REMEMBERED_KEYS) {
      name = {
        sensitive: isSensitiveKey(key),
        dropped: dropsEmail(key),
        lastValue: undefined,
        lastClean: '',
      };
      attributeNames.set(key, name);
    }
    return name;
  };
  const scrubNamedValue = (key: string, value: AttributeValue, name: AttributeName | undefined): AttributeValue => {
    // Numbers and booleans pass whatever their name; arrays take the general path.
    if (typeof value !== 'string') return typeof value === 'object' ? scrubAttributeValue(key, value) : value;
    if (name === undefined) return scrubAttributeValue(key, value);
    if (name.sensitive) return FILTERED;
    if (value === name.lastValue) return name.lastClean;
    const clean = scrubString(value);
    if (value.length <= MAX_REMEMBERED_VALUE_LENGTH) {
      name.lastValue = value;
      name.lastClean = clean;
    }
    return clean;
  };

  const scrubAttributes = (attributes: Attributes): Attributes => {
    let out: Attributes | undefined;
    let awsKeyId = false;
    // for...in, not Object.entries: this runs for every exported span, and the entry arrays were its garbage.
    for (const key in attributes) {
      const value = attributes[key];
      if (value === undefined || !Object.hasOwn(attributes, key)) continue;
      const name = attributeName(key);
      if (name === undefined ? dropsEmail(key) : name.dropped) {
        out ??= { ...attributes };
        delete out[key];
        continue;
      }
      const clean = scrubNamedValue(key, value, name);
      if (clean !== value) {
        out ??= { ...attributes };
        out[key] = clean;
        awsKeyId ||= lostAwsKeyId(value, clean);
      }
    }
    if (awsKeyId && out !== undefined) {
      // A secret access key next to its key id (`aws.access_key_id` and a sibling holding the 40 characters).
      for (const key in out) if (isAwsSecretShape(out[key])) out[key] = FILTERED;
    }
    return out ?? attributes;
  };

  const isSensitiveHeader = (name: string): boolean => SECRET_HEADER_NAME.test(name) || isSensitiveKey(name);

  return {
    sendDefaultPii,
    scrubString,
    scrubValue,
    scrubAttributeValue,
    scrubAttributes,
    isSensitiveKey,
    isSensitiveHeader,
  };
}
