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

const float = new Float64Array(1);
const bits = new BigUint64Array(float.buffer);

/** The next double above a positive finite `value`. */
function nextUp(value: number): number {
  float[0] = value;
  bits[0] = (bits[0] ?? 0n) + 1n;
  return float[0] ?? value;
}

/** The next double below a positive finite `value`. */
function nextDown(value: number): number {
  float[0] = value;
  bits[0] = (bits[0] ?? 1n) - 1n;
  return float[0] ?? value;
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
