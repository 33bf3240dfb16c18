// `npm run doctor` right after the Quick start, with nothing set: it judges the environment `npm start` runs in
// (development), not a bare `production` that warns about settings the Quick start just used.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../kit/index.js';

const run = promisify(execFile);

describe('npm run doctor with no environment', () => {
  it('reports the development environment the example service runs in', async () => {
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
    // The script as npm runs it, without its leading build (the suite runs against the dist it built once).
    const scripts = (
      JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    const command = scripts.doctor!.replace(/^npm run build --silent && /, '');
    const { stdout } = await run('sh', ['-c', `${command} --no-send --json`], { cwd: repoRoot, env });
    const report = JSON.parse(stdout) as { checks: Array<{ id: string; status: string; summary: string }> };
    const byId = (id: string) => report.checks.find((c) => c.id === id);
    expect(byId('config')?.summary).toContain('environment=development');
    expect(byId('sampling')).toMatchObject({
      status: 'ok',
      summary: expect.stringContaining('(environment development)'),
    });
  });
});
