// The alert rules are checked and unit-tested by promtool (built from github.com/prometheus/prometheus v0.316.0).
import { spawnSync } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';
import { collectorDir } from './binaries.js';

const promtool = inject('promtoolBin');

function run(args: string[]): { status: number | null; output: string } {
  const result = spawnSync(promtool, args, { cwd: collectorDir, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

describe('alerts.yml', () => {
  it('passes promtool check rules with the four recommended alerts', () => {
    const result = run(['check', 'rules', 'alerts.yml']);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toMatch(/SUCCESS: 4 rules found/);
  });

  it('passes its promtool unit tests (alerts.test.yml): each alert fires on its incident and stays quiet without it', () => {
    const result = run(['test', 'rules', 'alerts.test.yml']);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toMatch(/SUCCESS/);
  });
});
