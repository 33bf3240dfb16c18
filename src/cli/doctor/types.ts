/**
 * The doctor's result shapes. Every check says what it found and, when something is wrong, how to fix it:
 * the output replaces the support team's manual troubleshooting list, so a bare "fail" would be useless.
 */
export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  /** Stable identifier for machines (`--json`), e.g. `sentry.dsn`. */
  id: string;
  status: CheckStatus;
  /** One line: what was found. Never holds a whole secret. */
  summary: string;
  /** What to do about a warn or fail. */
  fix?: string;
  /** Ids and where to find them (test message, test span). */
  details?: Record<string, string>;
}

export interface DoctorReport {
  version: string;
  /** False when any check failed (the exit code is then 1). */
  ok: boolean;
  counts: Record<CheckStatus, number>;
  checks: CheckResult[];
}

export function check(
  id: string,
  status: CheckStatus,
  summary: string,
  extra: { fix?: string; details?: Record<string, string> } = {},
): CheckResult {
  const result: CheckResult = { id, status, summary };
  if (extra.fix !== undefined) result.fix = extra.fix;
  if (extra.details !== undefined) result.details = extra.details;
  return result;
}

export function summarise(version: string, checks: CheckResult[]): DoctorReport {
  const counts: Record<CheckStatus, number> = { ok: 0, warn: 0, fail: 0 };
  for (const c of checks) counts[c.status]++;
  return { version, ok: counts.fail === 0, counts, checks };
}
