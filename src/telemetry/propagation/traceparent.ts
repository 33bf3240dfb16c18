/**
 * W3C Trace Context level 2 parsing of `traceparent`, stricter than a regex alone: lowercase hex only, version
 * `ff` refused, version 00 exactly 55 characters, later versions read by their first 55 characters when the
 * 56th is a dash, all-zero ids refused. Flags keep the sampled (0x01) and random (0x02) bits.
 */

const HEADER = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

export const FLAG_SAMPLED = 0x01;
export const FLAG_RANDOM = 0x02;

export interface TraceParent {
  traceId: string;
  spanId: string;
  sampled: boolean;
  random: boolean;
}

/** Optional whitespace of HTTP field values; only spaces and tabs. */
function trimOws(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, '');
}

export function parseTraceParent(header: string | undefined): TraceParent | undefined {
  if (header === undefined || header.length > 512) return undefined;
  const value = trimOws(header);
  if (value.length < 55) return undefined;
  const version = value.slice(0, 2);
  if (version === 'ff') return undefined;
  if (version === '00' && value.length !== 55) return undefined;
  if (value.length > 55 && value[55] !== '-') return undefined;
  const match = HEADER.exec(value.slice(0, 55));
  if (!match) return undefined;
  const [, , traceId = '', spanId = '', flagsHex = ''] = match;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  const flags = Number.parseInt(flagsHex, 16);
  return { traceId, spanId, sampled: (flags & FLAG_SAMPLED) !== 0, random: (flags & FLAG_RANDOM) !== 0 };
}

export function formatTraceParent(traceId: string, spanId: string, sampled: boolean, random: boolean): string {
  const flags = (sampled ? FLAG_SAMPLED : 0) | (random ? FLAG_RANDOM : 0);
  return `00-${traceId}-${spanId}-${flags.toString(16).padStart(2, '0')}`;
}
