/**
 * Checks on a JSON request body before it is parsed (body-parser's `verify` hook, which sees the raw, inflated
 * bytes). Invalid UTF-8 would otherwise be decoded into U+FFFD and stored as a customer's words, and JSON nested
 * thousands of levels deep is never a real message but costs the parser and every later walk of the value.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isUtf8 } from 'node:buffer';

/** Deeper than any message an integration sends (the body and its `metadata` are a few levels deep). */
export const MAX_JSON_DEPTH = 32;
export const INVALID_ENCODING = 'entity.invalid.encoding';
export const TOO_DEEP = 'entity.too.deep';

/** Rejected bodies are 400s; body-parser keeps `status` and `type` of the error thrown here. */
class BodyCheckError extends Error {
  readonly status = 400;
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The deepest nesting of objects and arrays in a JSON text, bracket characters inside strings not counted. */
export function jsonDepth(body: Uint8Array): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < body.length; i += 1) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) i += 1;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      depth += 1;
      if (depth > deepest) deepest = depth;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      depth -= 1;
    }
  }
  return deepest;
}

export function verifyJsonBody(_req: IncomingMessage, _res: ServerResponse, body: Buffer): void {
  if (!isUtf8(body)) throw new BodyCheckError(INVALID_ENCODING, 'Request body is not valid UTF-8.');
  if (jsonDepth(body) > MAX_JSON_DEPTH)
    throw new BodyCheckError(TOO_DEEP, `Request body nests deeper than ${MAX_JSON_DEPTH} levels.`);
}
