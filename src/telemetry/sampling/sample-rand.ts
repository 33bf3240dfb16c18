/**
 * One randomness for both ecosystems. OpenTelemetry's consistent probability sampling keeps a trace when its
 * 56-bit random value R is >= the threshold T(p); Sentry keeps it when `sample_rand < p`. The mappings here
 * make the two rules agree for every rate, including at the boundary R = T(p), by doing the rounding with
 * BigInt and then choosing the exact neighbouring double instead of trusting float division.
 */

const RANDOM_BITS = 56n;
const RANDOM_RANGE = 1n << RANDOM_BITS; // 2^56: T(0), the "never sample" threshold
const MAX_RANDOM_VALUE = RANDOM_RANGE - 1n;
const SCALE_57 = 2 ** 57;

// The two 32-bit halves of one double: stepping to a neighbouring double in integer arithmetic, without the
// BigInt boxing a 64-bit view costs on every root span. Which half is which follows the platform's byte order
// (s390x and AIX are big-endian).
const float = new Float64Array(1);
const words = new Uint32Array(float.buffer);
const LOW = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HIGH = 1 - LOW;

/** The next double above a positive finite `value`. */
function nextUp(value: number): number {
  float[0] = value;
  const low = words[LOW] as number;
  words[LOW] = low + 1;
  if (low === 0xffffffff) words[HIGH] = (words[HIGH] as number) + 1;
  return float[0];
}

/** The next double below a positive finite `value`. */
function nextDown(value: number): number {
  float[0] = value;
  const low = words[LOW] as number;
  words[LOW] = low - 1;
  if (low === 0) words[HIGH] = (words[HIGH] as number) - 1;
  return float[0];
}

/** The threshold OpenTelemetry derives for probability `rate` (the same arithmetic as sampler-composite 0.222). */
export function thresholdForRate(rate: number): bigint {
  return RANDOM_RANGE - BigInt(Math.round(rate * 2 ** 56));
}

/** OpenTelemetry's randomness when no `ot=rv` is given: the low 56 bits of the trace id. */
export function randomValueFromTraceId(traceId: string): bigint {
  return BigInt(`0x${traceId.slice(-14)}`);
}

export function isValidRandomValue(value: bigint): boolean {
  return value >= 0n && value <= MAX_RANDOM_VALUE;
}

/**
 * sample_rand in [0, 1) for random value R. With x = 2^56 - R, OTel keeps when x <= round(p * 2^56), i.e.
 * when (x - 1/2) / 2^56 <= p. Sentry compares strictly, so sample_rand is the double just below the smallest
 * double >= (2x - 1) / 2^57: then `sample_rand < p` holds exactly when `p >= (2x - 1) / 2^57`.
 */
export function sampleRandFromRandomValue(randomValue: bigint): number {
  const x = RANDOM_RANGE - randomValue;
  const numerator = 2n * x - 1n;
  let ceiling = Number(numerator);
  if (BigInt(ceiling) < numerator) ceiling = nextUp(ceiling);
  return nextDown(ceiling) / SCALE_57;
}

/** The value of `length` hex digits of `text` from `start`, or NaN when one is not a hex digit. */
function hexValue(text: string, start: number, length: number): number {
  let value = 0;
  for (let index = start; index < start + length; index++) {
    const code = text.charCodeAt(index);
    const letter = code | 0x20; // A-F to a-f
    const digit =
      code >= 0x30 && code <= 0x39 ? code - 0x30 : letter >= 0x61 && letter <= 0x66 ? letter - 0x57 : Number.NaN;
    value = value * 16 + digit;
  }
  return value;
}

/**
 * `sampleRandFromRandomValue(randomValueFromTraceId(traceId))` in doubles: every root span takes it, and the
 * BigInt path allocated about ten numbers per call. R = hi * 2^28 + lo does not fit a double, so the numerator
 * 2^57 - 2R - 1 is formed as A * 2^28 - B (both exact), rounded as `Number(bigint)` rounds it, and the rounding
 * is checked exactly: the rounded value minus A * 2^28 is an integer below 2^30 in size, so that subtraction is
 * exact, and comparing it with -B tells whether the rounding went down.
 */
export function sampleRandFromTraceId(traceId: string): number {
  const start = traceId.length - 14;
  const hi = hexValue(traceId, start, 7);
  const lo = hexValue(traceId, start + 7, 7);
  if (start < 0 || Number.isNaN(hi) || Number.isNaN(lo))
    return sampleRandFromRandomValue(randomValueFromTraceId(traceId));
  const high = (2 ** 29 - 2 * hi) * 2 ** 28;
  const low = 2 * lo + 1;
  let ceiling = high - low;
  if (ceiling - high < -low) ceiling = nextUp(ceiling);
  return nextDown(ceiling) / SCALE_57;
}

/**
 * The random value R to advertise as `ot=rv` when the decision came from a Sentry sample_rand (a browser SDK
 * drew it with Math.random): the largest x whose sample_rand does not exceed it, so OTel services that read
 * `rv` keep the traces Sentry services keep (up to one step of 2^-56 for rates that are not multiples of it).
 */
export function randomValueFromSampleRand(sampleRand: number): bigint {
  let low = 1n;
  let high = RANDOM_RANGE;
  if (sampleRandFromRandomValue(RANDOM_RANGE - low) > sampleRand) return MAX_RANDOM_VALUE;
  while (low < high) {
    const mid = (low + high + 1n) / 2n;
    if (sampleRandFromRandomValue(RANDOM_RANGE - mid) <= sampleRand) low = mid;
    else high = mid - 1n;
  }
  return RANDOM_RANGE - low;
}
