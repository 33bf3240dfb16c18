/**
 * Typed reads of environment variables. Each read that fails records a problem and returns undefined, so
 * parsing goes on and every invalid variable is reported together.
 */
import type { Problems } from './errors.js';

const DECIMAL = /^[+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;
const INTEGER = /^[+]?\d+$/;
const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no']);

export const RATE_ACCEPTED = 'a number from 0 to 1, e.g. 0.25';
export const BOOLEAN_ACCEPTED = 'true, false, 1, 0, yes, no';

export class EnvReader {
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    readonly problems: Problems,
  ) {}

  /**
   * The trimmed value, or undefined when unset or blank: compose files and CI templates often write `FOO=` to
   * mean "not set".
   */
  string(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  has(name: string): boolean {
    return this.string(name) !== undefined;
  }

  rate(name: string): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const value = DECIMAL.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isFinite(value) || value < 0 || value > 1) {
      this.problems.invalid(name, raw, RATE_ACCEPTED);
      return undefined;
    }
    return value;
  }

  boolean(name: string): boolean | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const word = raw.toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    this.problems.invalid(name, raw, BOOLEAN_ACCEPTED);
    return undefined;
  }

  /** A whole number >= min (1 unless told: most of these are sizes, budgets or timeouts). */
  integer(name: string, min = 1): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const value = INTEGER.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min) {
      this.problems.invalid(name, raw, `a whole number >= ${min}`);
      return undefined;
    }
    return value;
  }

  /** One of `choices`, case-insensitive; returned lower-cased. */
  choice<T extends string>(name: string, choices: readonly T[]): T | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const word = raw.toLowerCase();
    const found = choices.find((choice) => choice === word);
    if (found === undefined) this.problems.invalid(name, raw, choices.join(', '));
    return found;
  }

  /** A comma list, entries trimmed and blank entries dropped; undefined when the variable is unset. */
  list(name: string): string[] | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    return raw
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
  }
}
