/**
 * Registers the layer's LoggerProvider as the global one, for the instrumentations (pino, winston, OpenAI) and
 * for apps that use the OpenTelemetry logs API directly. The API moved between the lines: on the 2.x line it is
 * `@opentelemetry/api-logs` (0.2xx), on the 3.x line `logs` of `@opentelemetry/api` 1.10. The provider is
 * registered with every one that is installed, so both kinds of callers reach it.
 */
import * as api from '@opentelemetry/api';

interface LogsApi {
  setGlobalLoggerProvider(provider: never): unknown;
  disable(): void;
}

/** A variable, not a literal: the 3.x line has no api-logs package, and the import must not be resolved then. */
const API_LOGS = '@opentelemetry/api-logs';

async function installedLogsApis(): Promise<LogsApi[]> {
  const apis: LogsApi[] = [];
  const fromApi = (api as unknown as { logs?: LogsApi }).logs;
  if (fromApi !== undefined) apis.push(fromApi);
  try {
    const module = (await import(API_LOGS)) as { logs?: LogsApi };
    if (module.logs !== undefined && module.logs !== fromApi) apis.push(module.logs);
  } catch {
    // Not installed: the 3.x line's API above is the only one.
  }
  return apis;
}

/** Registers `provider` globally; resolves with the function that unregisters it. */
export async function registerGlobalLoggerProvider(provider: object): Promise<() => void> {
  const apis = await installedLogsApis();
  for (const logs of apis) logs.setGlobalLoggerProvider(provider as never);
  return () => {
    for (const logs of apis) logs.disable();
  };
}
