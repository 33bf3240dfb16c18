/** The doctor's two outputs: aligned text for people, one JSON document for machines (`--json`). */
import type { CheckResult, DoctorReport } from './types.js';

const LABEL: Record<CheckResult['status'], string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };

export function renderText(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((c) => c.id.length));
  const lines = [`otel-sentry-bridge doctor ${report.version}`, ''];
  for (const c of report.checks) {
    lines.push(`  ${LABEL[c.status]}  ${c.id.padEnd(width)}  ${c.summary}`);
    const indent = ' '.repeat(width + 10);
    for (const [key, value] of Object.entries(c.details ?? {})) lines.push(`${indent}${key}: ${value}`);
    if (c.fix) {
      const [first = '', ...rest] = c.fix.split('\n');
      lines.push(`${indent}fix: ${first}`);
      for (const line of rest) lines.push(`${indent}     ${line}`);
    }
  }
  const { ok, warn, fail } = report.counts;
  lines.push(
    '',
    `${ok} ok, ${warn} warning(s), ${fail} failure(s)${fail > 0 ? ': fix the failures above (exit code 1)' : ''}`,
  );
  return `${lines.join('\n')}\n`;
}

export function renderJson(report: DoctorReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
