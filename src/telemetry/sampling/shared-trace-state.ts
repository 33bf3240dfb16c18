/**
 * The TraceState a sampling decision hands to every span of its local trace, and the `tracestate` grammar it
 * follows. An OTLP export serialises the TraceState of each span, and core's TraceState rebuilds its string on
 * every call (parsing it first, for a new one): with a few dozen spans per trace that was a large share of
 * export time and of the garbage. The wire form is fixed once per trace here, and parsed only when a member is
 * read or changed: a root span's state is usually only ever serialised, and parsing it (split strings, a list)
 * was most of what a root span allocated beyond the stock SDK's.
 *
 * Our own parser, not core's: `@opentelemetry/core` 2.12 validates keys with the tenant@vendor form of 2019
 * (`foo@`, `foo@@bar`, `0abc`, a 15-character tenant are refused) and skips invalid members one by one. The W3C
 * grammar since 2020 is `key = (lcalpha / DIGIT) 0*255(keychar)` with `@` among the key characters, and the
 * spec lets a receiver discard the whole header when a member is invalid or there are more than 32: this
 * parser does (the W3C suite's strictest level checks it), so a header is continued whole or not at all.
 */
import type { TraceState as ApiTraceState } from '@opentelemetry/api';

/** W3C: at most 32 list members; a list longer than 512 characters may be truncated. */
export const MAX_TRACESTATE_MEMBERS = 32;
const MAX_TRACESTATE_LENGTH = 512;
/** Truncation removes members longer than this first (W3C "Tracestate Limits"). */
const LONG_MEMBER = 128;
/** Beyond 32 members of 256+1+256 characters and their separators a header cannot be valid. */
const MAX_TRACESTATE_INPUT = 32 * 514 + 31 * 8;

const KEY = /^[a-z0-9][a-z0-9_\-*/@]{0,255}$/;
// Printable ASCII except `,` and `=`, at most 256 characters, not ending in a space.
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
const LIST_SEPARATOR = /[ \t]*,[ \t]*/;

type Member = readonly [key: string, value: string];

export function isTraceStateKey(key: string): boolean {
  return KEY.test(key);
}

export function isTraceStateValue(value: string): boolean {
  return VALUE.test(value);
}

/**
 * The members of a `tracestate` value, or undefined when it is not a valid list: any invalid member, or more
 * than 32, discards the whole header. Empty list elements and optional whitespace are allowed; of a repeated
 * key the first member is kept.
 */
function parseMembers(header: string, strict: boolean): Member[] | undefined {
  if (header.length > MAX_TRACESTATE_INPUT) return undefined;
  const members: Member[] = [];
  for (const element of header.trim().split(LIST_SEPARATOR)) {
    if (element === '') continue;
    const eq = element.indexOf('=');
    const key = eq > 0 ? element.slice(0, eq) : '';
    const value = eq > 0 ? element.slice(eq + 1) : '';
    if (!KEY.test(key) || !VALUE.test(value)) {
      if (strict) return undefined;
      continue;
    }
    if (members.some(([seen]) => seen === key)) continue;
    members.push([key, value]);
    if (members.length > MAX_TRACESTATE_MEMBERS && strict) return undefined;
  }
  return members;
}

const memberLength = ([key, value]: Member): number => key.length + 1 + value.length;

/**
 * At most 32 members, dropped from the right (where the oldest entries are), and at most 512 characters:
 * members over 128 characters go first, then members from the right, as the W3C spec's truncation says.
 */
function withinLimits(members: readonly Member[]): readonly Member[] {
  let kept = members.length > MAX_TRACESTATE_MEMBERS ? members.slice(0, MAX_TRACESTATE_MEMBERS) : members;
  let length = kept.reduce((sum, member) => sum + memberLength(member), Math.max(0, kept.length - 1));
  if (length <= MAX_TRACESTATE_LENGTH) return kept;
  const list = [...kept];
  for (let i = list.length - 1; i >= 0 && length > MAX_TRACESTATE_LENGTH; i--) {
    const size = memberLength(list[i] as Member);
    if (size > LONG_MEMBER) {
      list.splice(i, 1);
      length -= size + (list.length > 0 ? 1 : 0);
    }
  }
  while (length > MAX_TRACESTATE_LENGTH && list.length > 0) {
    const last = list.pop() as Member;
    length -= memberLength(last) + (list.length > 0 ? 1 : 0);
  }
  kept = list;
  return kept;
}

function serializeMembers(members: readonly Member[]): string {
  let wire = '';
  for (const [key, value] of members) wire = wire === '' ? `${key}=${value}` : `${wire},${key}=${value}`;
  return wire;
}

export class SharedTraceState implements ApiTraceState {
  readonly #wire: string;
  #members: readonly Member[] | undefined;

  /**
   * `wire` must be a valid list within the limits: a state this process built from members valid by
   * construction, or the serialisation of `of`/`from`.
   */
  constructor(wire: string, members?: readonly Member[]) {
    this.#wire = wire;
    this.#members = members;
  }

  get(key: string): string | undefined {
    for (const [name, value] of this.#parsed()) if (name === key) return value;
    return undefined;
  }

  /** The member moves to the front (W3C: an updated key goes first); the list keeps its limits. */
  set(key: string, value: string): SharedTraceState {
    if (!KEY.test(key) || !VALUE.test(value)) return this;
    const members: Member[] = [[key, value]];
    for (const member of this.#parsed()) if (member[0] !== key) members.push(member);
    return SharedTraceState.of(members);
  }

  unset(key: string): SharedTraceState {
    const members = this.#parsed();
    if (!members.some(([name]) => name === key)) return this;
    return SharedTraceState.of(members.filter(([name]) => name !== key));
  }

  serialize(): string {
    return this.#wire;
  }

  #parsed(): readonly Member[] {
    this.#members ??= parseMembers(this.#wire, false) ?? [];
    return this.#members;
  }

  static of(members: readonly Member[]): SharedTraceState {
    const kept = withinLimits(members);
    return new SharedTraceState(serializeMembers(kept), kept);
  }

  /** `state` itself when it is already shared, else its valid members within the limits. */
  static from(state: ApiTraceState): SharedTraceState {
    return state instanceof SharedTraceState
      ? state
      : SharedTraceState.of(parseMembers(state.serialize(), false) ?? []);
  }
}

/** An incoming `tracestate` (its headers joined with commas): the whole list, or undefined when it is invalid or empty. */
export function parseTraceStateHeader(header: string | undefined): SharedTraceState | undefined {
  if (!header) return undefined;
  const members = parseMembers(header, true);
  if (!members?.length) return undefined;
  const kept = withinLimits(members);
  return new SharedTraceState(serializeMembers(kept), kept);
}
