/**
 * What the layer itself prints must never come back as an application log record: a warning about a failing
 * logs backend, captured from the console and queued for that backend, would feed itself. The layer's diagnostic
 * logger marks its console calls, and the console source skips marked calls.
 */
import { DiagConsoleLogger, type DiagLogger } from '@opentelemetry/api';

let depth = 0;

/** Runs `fn` (a console call of the layer's) so that the console source does not capture what it prints. */
export function asOwnOutput(fn: () => void): void {
  depth++;
  try {
    fn();
  } finally {
    depth--;
  }
}

/** True while the layer prints its own diagnostics. */
export function isOwnOutput(): boolean {
  return depth > 0;
}

/** OpenTelemetry's console diag logger, with every line marked as the layer's own. */
export function ownDiagLogger(): DiagLogger {
  const inner = new DiagConsoleLogger();
  const wrap =
    (method: keyof DiagLogger) =>
    (message: string, ...args: unknown[]): void =>
      asOwnOutput(() => inner[method](message, ...args));
  return { error: wrap('error'), warn: wrap('warn'), info: wrap('info'), debug: wrap('debug'), verbose: wrap('verbose') };
}
