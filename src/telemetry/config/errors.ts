/**
 * The single error type of configuration, and the collector that lets start-up report every invalid variable
 * at once: a user who fixes one value should not discover the next one on the following restart.
 */
import { display } from './masking.js';

export class ConfigError extends Error {
  /** One entry per invalid variable or module key, in the order they were found. */
  readonly problems: readonly string[];

  constructor(problems: string | readonly string[]) {
    const list = typeof problems === 'string' ? [problems] : [...problems];
    super(list.join('\n'));
    this.name = 'ConfigError';
    this.problems = list;
  }
}

export class Problems {
  readonly list: string[] = [];

  /**
   * Records one invalid value. `shownValue` must already be masked when it may hold a secret; `accepted` says
   * what the user may write instead.
   */
  invalid(variable: string, shownValue: string, accepted: string, reason?: string): void {
    const why = reason === undefined ? '' : `${reason}. `;
    this.list.push(`${variable}=${display(shownValue)}: ${why}Accepted: ${accepted}.`);
  }

  /** For problems that are not about one value (a module that fails to load, two variables that disagree). */
  add(message: string): void {
    this.list.push(message);
  }

  throwIfAny(): void {
    if (this.list.length > 0) throw new ConfigError(this.list);
  }
}
