/**
 * Checks that need no network: the configuration as the bootstrap would load it, the Node runtime, the ESM
 * hook, and settings that are valid but risky (rate 1.0 in production, PII, GenAI content, leaking headers).
 * Pure functions of the environment and the loaded config, so they are unit-tested without processes.
 */
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError, maskDsn } from '../../telemetry/config/index.js';
import { parseDsn } from '../../telemetry/config/dsn.js';
import { maskHeaderList, maskUrl } from '../../telemetry/config/masking.js';
import { packageRoot } from '../../telemetry/common/package-version.js';
import type { TelemetryConfig } from '../../telemetry/common/types.js';
import { profilingCheck } from './profiling-check.js';
import { check, type CheckResult } from './types.js';
import { otlpEndpointCheck } from './otlp-endpoint.js';

export type LoadedConfig = { ok: true; config: TelemetryConfig } | { ok: false; error: unknown };

/** The engines floor of package.json; OTel JS 2.x and Sentry v11 need it. */
const MIN_NODE: readonly [number, number] = [20, 19];

export function nodeCheck(version: string = process.versions.node): CheckResult {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const okVersion = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  return okVersion
    ? check('node', 'ok', `Node ${version} (>= ${MIN_NODE.join('.')} required)`)
    : check('node', 'fail', `Node ${version} is older than ${MIN_NODE.join('.')}`, {
        fix: `Run the app on Node ${MIN_NODE.join('.')} or later (the OTel JS 2.x line and Sentry v11 need it).`,
      });
}

export function configCheck(loaded: LoadedConfig): CheckResult {
  if (loaded.ok) {
    const c = loaded.config;
    const from = c.configFile ? `, config module ${c.configFile}` : '';
    return check(
      'config',
      'ok',
      `loaded as the bootstrap loads it: service=${c.serviceName} environment=${c.environment} release=${c.release}${from}`,
    );
  }
  if (loaded.error instanceof ConfigError) {
    // ConfigError messages already mask secrets; each problem names the variable, the value and what is accepted.
    return check(
      'config',
      'fail',
      `invalid configuration: the app would not start (${loaded.error.problems.length} problem(s))`,
      {
        fix: loaded.error.problems.join('\n'),
      },
    );
  }
  const message = loaded.error instanceof Error ? loaded.error.message : String(loaded.error);
  return check('config', 'fail', `the configuration could not be loaded: ${message}`, {
    fix: 'Check TELEMETRY_CONFIG and the config module it points to.',
  });
}

export function dsnCheck(env: NodeJS.ProcessEnv): CheckResult {
  const raw = env.SENTRY_DSN?.trim();
  if (!raw) {
    return check('sentry.dsn', 'warn', 'SENTRY_DSN is not set: errors and messages are not sent to Sentry', {
      fix: 'Set SENTRY_DSN to the DSN of your Sentry project (Settings > Projects > Client Keys).',
    });
  }
  const parsed = parseDsn(raw);
  if (!parsed.ok) {
    return check('sentry.dsn', 'fail', `SENTRY_DSN ${maskDsn(raw)} cannot be parsed: ${parsed.reason}`, {
      fix: 'Copy the DSN again from Sentry: https://<public key>@o<org id>.ingest.sentry.io/<project id>.',
    });
  }
  const { dsn } = parsed;
  const org = dsn.orgId ? `, org ${dsn.orgId}` : '';
  return check('sentry.dsn', 'ok', `SENTRY_DSN ${maskDsn(raw)} (project ${dsn.projectId}${org})`);
}

export function samplingCheck(config: TelemetryConfig): CheckResult {
  if (config.sampling.tracesSampler) {
    return check('sampling', 'ok', `tracesSampler from ${config.configFile ?? 'the config module'} decides per trace`);
  }
  const rate = config.sampling.tracesSampleRate ?? 0;
  if (rate === 0) {
    return check('sampling', 'warn', 'traces sample rate is 0: no trace started here is kept (errors are still sent)', {
      fix: 'Set SENTRY_TRACES_SAMPLE_RATE above 0, e.g. 0.1.',
    });
  }
  if (rate === 1 && config.environment === 'production') {
    return check('sampling', 'warn', 'traces sample rate is 1.0 in production: every request is traced and exported', {
      fix: 'Set SENTRY_TRACES_SAMPLE_RATE to the share you need (e.g. 0.1), or a tracesSampler in telemetry.config.mjs.',
    });
  }
  return check('sampling', 'ok', `traces sample rate ${rate} (environment ${config.environment})`);
}

export function exportersCheck(config: TelemetryConfig): CheckResult {
  if (config.tracingDisabled) {
    return check(
      'exporters',
      'warn',
      'OTEL_SDK_DISABLED=true: no span is created or exported (Sentry still captures errors)',
      {
        fix: 'Unset OTEL_SDK_DISABLED to trace again.',
      },
    );
  }
  if (config.exporters.length === 0) {
    return check('exporters', 'warn', 'no span exporter: spans are sampled and propagated but sent nowhere', {
      fix: 'Set SENTRY_DSN and/or OTEL_EXPORTER_OTLP_ENDPOINT, or TELEMETRY_EXPORTERS=sentry,otlp.',
    });
  }
  const targets = config.exporters.map((name) => {
    if (name === 'otlp') return `otlp -> ${maskUrl(config.otlp.tracesUrl ?? '?')} (${config.otlp.protocol})`;
    if (name === 'sentry') return `sentry -> ${config.sentry.dsn ? maskDsn(config.sentry.dsn.raw) : '?'}`;
    return 'console -> stderr';
  });
  if (config.exporters.includes('console') && config.environment === 'production') {
    return check('exporters', 'warn', `${targets.join('; ')}: the console tree in production floods the logs`, {
      fix: 'Drop console from TELEMETRY_EXPORTERS in production.',
    });
  }
  return check('exporters', 'ok', targets.join('; '));
}

/** Where the CLI's own package keeps the --import entry. */
const REGISTER_URL = pathToFileURL(path.join(packageRoot(), 'dist/instrumentation/register.js'));

export function esmHookCheck(env: NodeJS.ProcessEnv): CheckResult {
  let hook: string;
  try {
    hook = fileURLToPath(import.meta.resolve('@opentelemetry/instrumentation/hook.mjs'));
  } catch (error) {
    return check('esm-hook', 'fail', `@opentelemetry/instrumentation/hook.mjs cannot be resolved (${String(error)})`, {
      fix: 'Reinstall dependencies (npm ci): without the hook ESM imports of express or node:http go untraced.',
    });
  }
  if (typeof register !== 'function') {
    return check('esm-hook', 'fail', 'this Node has no module.register(): the ESM hook cannot be installed', {
      fix: 'Use Node 20.19 or later.',
    });
  }
  if (!existsSync(REGISTER_URL)) {
    return check('esm-hook', 'fail', `the --import entry ${fileURLToPath(REGISTER_URL)} is missing`, {
      fix: 'Build the package (npm run build) or reinstall it.',
    });
  }
  const nodeOptions = env.NODE_OPTIONS ?? '';
  const viaOptions = /--import[= ]\S*register/.test(nodeOptions);
  const how = viaOptions
    ? 'NODE_OPTIONS loads the register entry'
    : 'start the app with `node --import otel-sentry-bridge/register app.js` (or put that --import in NODE_OPTIONS)';
  return check('esm-hook', 'ok', `an app started under --import gets the ESM hook (${hook}); ${how}`);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.') || host.endsWith('.localhost');
}

/** OTEL_EXPORTER_OTLP_HEADERS go to every OTLP exporter in the process: say where they would end up. */
export function otlpHeadersCheck(env: NodeJS.ProcessEnv, config: TelemetryConfig): CheckResult {
  const names = ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS'].filter((n) => env[n]?.trim());
  if (names.length === 0) return check('otlp.headers', 'ok', 'no OTEL_EXPORTER_OTLP_[TRACES_]HEADERS set');
  const shown = names.map((n) => `${n}=${maskHeaderList(env[n] ?? '')}`).join(', ');
  if (!config.exporters.includes('otlp') || !config.otlp.tracesUrl) {
    return check('otlp.headers', 'warn', `${shown} is set but no otlp exporter uses it`, {
      fix:
        'Unset it: any other OpenTelemetry SDK in this process, or a child process inheriting the environment, ' +
        'sends these credentials to its default endpoint.',
    });
  }
  const url = new URL(config.otlp.tracesUrl);
  const dsn = config.sentry.dsn;
  const sentryHost = dsn ? `${dsn.host}${dsn.port ? `:${dsn.port}` : ''}` : undefined;
  if (url.host === sentryHost || url.pathname.includes('/integration/otlp')) {
    return check('otlp.headers', 'warn', `${shown} would be sent to Sentry (${url.host}), which does not need them`, {
      fix: 'Point OTEL_EXPORTER_OTLP_ENDPOINT at your collector; the sentry exporter gets its auth from SENTRY_DSN.',
    });
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    return check('otlp.headers', 'warn', `${shown} travels in clear text to ${url.host} (http)`, {
      fix: 'Use an https:// collector endpoint, or a collector on loopback / a sidecar.',
    });
  }
  return check('otlp.headers', 'ok', `${shown} goes only to the collector ${url.host}, never to Sentry`);
}

export function piiCheck(config: TelemetryConfig): CheckResult {
  return config.sentry.sendDefaultPii
    ? check(
        'pii',
        'warn',
        'SENTRY_SEND_DEFAULT_PII=true: emails, IPs, cookies and auth headers may reach Sentry and span backends',
        {
          fix: 'Unset SENTRY_SEND_DEFAULT_PII unless your data-processing agreement covers personal data.',
        },
      )
    : check(
        'pii',
        'ok',
        'PII off: auth headers, cookies, URL credentials and emails are scrubbed from events and spans',
      );
}

export function genAiCheck(config: TelemetryConfig): CheckResult {
  return config.captureGenAiContent
    ? check(
        'genai.content',
        'warn',
        'TELEMETRY_CAPTURE_GENAI_CONTENT=true: prompts, completions and RAG queries are exported',
        {
          fix: 'Unset TELEMETRY_CAPTURE_GENAI_CONTENT outside debugging: prompts hold customer messages.',
        },
      )
    : check('genai.content', 'ok', 'GenAI content capture off: prompts and completions stay in the process');
}

/** Where application logs go (TELEMETRY_LOGS and the backends that take them). */
export function logsCheck(config: TelemetryConfig): CheckResult {
  const { level, otlp, rateLimit, sampledOnly } = config.logs;
  if (level === 'off')
    return check('logs', 'ok', 'logs off: no log record is exported (TELEMETRY_LOGS=off, or no backend)');
  const targets = config.exporters.flatMap((name) => {
    if (name === 'sentry') return config.sentry.dsn ? ['sentry -> Sentry Logs (envelope endpoint)'] : [];
    if (name === 'otlp') return otlp.url ? [`otlp -> ${maskUrl(otlp.url)} (${otlp.protocol})`] : [];
    return ['console -> the tree on stderr'];
  });
  if (targets.length === 0) {
    return check('logs', 'warn', `TELEMETRY_LOGS=${level} but no backend takes log records`, {
      fix: 'Set SENTRY_DSN, or OTEL_EXPORTER_OTLP_LOGS_ENDPOINT (or the base OTEL_EXPORTER_OTLP_ENDPOINT) for the collector.',
    });
  }
  const limits = `at most ${rateLimit} records/s${sampledOnly ? ', sampled traces only' : ''}`;
  return check('logs', 'ok', `logs at ${level} and above: ${targets.join('; ')}; ${limits}`);
}

/** Every offline check for a configuration that loaded. */
export function configDerivedChecks(env: NodeJS.ProcessEnv, config: TelemetryConfig): CheckResult[] {
  return [
    samplingCheck(config),
    profilingCheck(config),
    exportersCheck(config),
    logsCheck(config),
    otlpEndpointCheck(env, config),
    otlpHeadersCheck(env, config),
    piiCheck(config),
    genAiCheck(config),
  ];
}
