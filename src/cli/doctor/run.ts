/**
 * `otel-sentry-bridge doctor`: every check of the support team's troubleshooting list, run in one go against
 * the configuration the bootstrap would load from this environment and working directory.
 */
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../telemetry/config/index.js';
import { otelChecks } from './api-copies.js';
import {
  configCheck,
  configDerivedChecks,
  dsnCheck,
  esmHookCheck,
  nodeCheck,
  type LoadedConfig,
} from './config-checks.js';
import { reachabilityChecks } from './reachability.js';
import { testLogChecks } from './test-log.js';
import { testMessageCheck } from './test-message.js';
import { testSpanChecks } from './test-span.js';
import { summarise, type CheckResult, type DoctorReport } from './types.js';

export interface DoctorOptions {
  env: NodeJS.ProcessEnv;
  /** Where the app runs: the config module and the app's package.json are looked up from here. */
  cwd: string;
  /** Deadline of each network check. */
  timeoutMs: number;
  /** Skip the test message and test span (reachability is still probed). */
  send: boolean;
}

function packageVersion(): string {
  try {
    const url = new URL('../../../../package.json', import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const checks: CheckResult[] = [nodeCheck(), esmHookCheck(options.env), ...otelChecks(options.cwd)];
  let loaded: LoadedConfig;
  try {
    loaded = { ok: true, config: await loadConfig({ env: options.env, cwd: options.cwd, appPath: options.cwd }) };
  } catch (error) {
    loaded = { ok: false, error };
  }
  checks.push(configCheck(loaded), dsnCheck(options.env));
  if (loaded.ok) {
    const { config } = loaded;
    checks.push(...configDerivedChecks(options.env, config));
    checks.push(...(await reachabilityChecks(config, options.timeoutMs)));
    if (options.send) {
      const [message, spans, logs] = await Promise.all([
        testMessageCheck(config, options.timeoutMs),
        testSpanChecks(config, options.timeoutMs),
        testLogChecks(config, options.timeoutMs),
      ]);
      checks.push(message, ...spans, ...logs);
    }
  }
  return summarise(packageVersion(), checks);
}
