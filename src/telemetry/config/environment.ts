/** The Sentry environment: SENTRY_ENVIRONMENT, else NODE_ENV, else `production`, checked against Sentry's rules. */
import type { EnvReader } from './env-reader.js';

const MAX_LENGTH = 64;
const ACCEPTED = 'at most 64 characters without spaces, newlines or "/", not "None" (Sentry\'s rules), e.g. staging';

export function readEnvironment(reader: EnvReader): string {
  for (const name of ['SENTRY_ENVIRONMENT', 'NODE_ENV']) {
    const value = reader.string(name);
    if (value === undefined) continue;
    if (value.length > MAX_LENGTH || /[\s/]/.test(value) || value === 'None') {
      const reason =
        name === 'NODE_ENV'
          ? 'Sentry rejects this environment name (set SENTRY_ENVIRONMENT to use another one)'
          : 'Sentry rejects this environment name';
      reader.problems.invalid(name, value, ACCEPTED, reason);
    }
    return value;
  }
  return 'production';
}
