/**
 * `otel-sentry-bridge doctor`: every check of the support team's troubleshooting list, run in one go against
 * the configuration the bootstrap would load from this environment and working directory.
 */
import type { TelemetryConfig } from '../../telemetry/common/types.js';
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
import { check, summarise, type CheckResult, type DoctorReport } from './types.js';
import { packageVersion } from '../../telemetry/common/package-version.js';

export interface DoctorOptions {
  env: NodeJS.ProcessEnv;
  /** Where the app runs: the config module and the app's package.json are looked up from here. */
  cwd: string;
  /** Deadline of each network check. */
  timeoutMs: number;
  /** Skip the test message and test span (reachability is still probed). */
  send: boolean;
}

/**
 * The test message, span and log record. Their modules load the SDK (sdk-trace, sdk-logs) only here: with a second
 * API copy or mixed OpenTelemetry lines those imports can throw at load time (the 3.x sdk-logs needs api 1.10's
 * exports), and the checks above must still be reported, so the sends are skipped once an otel check failed.
 */
async function sendChecks(config: TelemetryConfig, timeoutMs: number, earlier: CheckResult[]): Promise<CheckResult[]> {
  const broken = earlier.filter((c) => c.id.startsWith('otel.') && c.status === 'fail').map((c) => c.id);
  if (broken.length > 0) {
    return [
      check('doctor.test-sends', 'warn', `test message, span and log record not sent: ${broken.join(', ')} failed`, {
        fix: 'fix the OpenTelemetry install named above, then run doctor again',
      }),
    ];
  }
  const [{ testMessageCheck }, { testSpanChecks }, { testLogChecks }] = await Promise.all([
    import('./test-message.js'),
    import('./test-span.js'),
    import('./test-log.js'),
  ]);
  const [message, spans, logs] = await Promise.all([
    testMessageCheck(config, timeoutMs),
    testSpanChecks(config, timeoutMs),
    testLogChecks(config, timeoutMs),
  ]);
  return [message, ...spans, ...logs];
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
    if (options.send) checks.push(...(await sendChecks(config, options.timeoutMs, checks)));
  }
  return summarise(packageVersion(), checks);
}
