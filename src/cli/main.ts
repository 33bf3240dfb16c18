#!/usr/bin/env node
/**
 * The `otel-sentry-bridge` command. Subcommands live in their own folders; this file only parses arguments
 * and sets the exit code.
 */
import { renderJson, renderText } from './doctor/render.js';
import { runDoctor } from './doctor/run.js';

const USAGE = `Usage: otel-sentry-bridge doctor [--json] [--timeout-ms <ms>] [--no-send]

  doctor           check the telemetry configuration of this environment and working directory
  --json           print one JSON document on stdout
  --timeout-ms     deadline of each network check (default 5000)
  --no-send        skip the test message and the test span (reachability is still checked)

Exit code 1 when any check fails.`;

interface Args {
  command?: string;
  json: boolean;
  timeoutMs: number;
  send: boolean;
  help: boolean;
}

function parseArgs(argv: readonly string[]): Args | string {
  const args: Args = { json: false, timeoutMs: 5000, send: true, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--json') args.json = true;
    else if (arg === '--no-send') args.send = false;
    else if (arg === '--help' || arg === '-h') args.help = true;
    else if (arg === '--timeout-ms' || arg.startsWith('--timeout-ms=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      const ms = Number(value);
      if (!Number.isInteger(ms) || ms <= 0)
        return `--timeout-ms needs a whole number of milliseconds > 0, got ${JSON.stringify(value ?? '')}`;
      args.timeoutMs = ms;
    } else if (!arg.startsWith('-') && args.command === undefined) args.command = arg;
    else return `unknown argument ${JSON.stringify(arg)}`;
  }
  return args;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    process.stderr.write(`otel-sentry-bridge: ${args}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help || args.command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return args.help ? 0 : 2;
  }
  if (args.command !== 'doctor') {
    process.stderr.write(`otel-sentry-bridge: unknown command ${JSON.stringify(args.command)}\n\n${USAGE}\n`);
    return 2;
  }
  const report = await runDoctor({ env: process.env, cwd: process.cwd(), timeoutMs: args.timeoutMs, send: args.send });
  process.stdout.write(args.json ? renderJson(report) : renderText(report));
  return report.ok ? 0 : 1;
}

const code = await main();
// An exporter that timed out may still hold a socket to a hanging backend, or retry a refused one: the verdict
// is out, so exit once stdout has been written instead of waiting for the exporters' own deadlines.
process.stdout.write('', () => process.exit(code));
