/**
 * Node's handling of unhandled rejections, reproduced for a process in which the layer listens. Node decides
 * what an unhandled rejection does by whether anyone listens for `unhandledRejection`; the layer's listener and
 * Sentry's make every rejection look handled, so what Node would have done without them is done here instead.
 */

/** The values of `--unhandled-rejections`; `throw` is Node 20's default. */
export type RejectionMode = 'throw' | 'strict' | 'warn' | 'warn-with-error-code' | 'none';

const MODES = new Set<string>(['throw', 'strict', 'warn', 'warn-with-error-code', 'none']);
const FLAG = '--unhandled-rejections';

/** The mode this process runs in: from NODE_OPTIONS, then the command line, the last valid value winning as in Node. */
export function rejectionMode(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env.NODE_OPTIONS ?? '',
): RejectionMode {
  const args = [...nodeOptions.split(/\s+/), ...execArgv];
  let mode: RejectionMode = 'throw';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    // Node accepts underscores for dashes in option names.
    const [name = '', inline] = arg.split('=', 2);
    if (name.replaceAll('_', '-') !== FLAG) continue;
    const value = inline ?? args[++i];
    if (value !== undefined && MODES.has(value)) mode = value as RejectionMode;
  }
  return mode;
}

/** Node's test for what it raises as is; anything else is wrapped first. */
function isErrorLike(value: unknown): value is Error {
  return typeof value === 'object' && value !== null && Object.prototype.hasOwnProperty.call(value, 'stack');
}

const ORIGIN =
  'This error originated either by throwing inside of an async function without a catch block, ' +
  'or by rejecting a promise which was not handled with .catch().';

function describe(reason: unknown): string {
  try {
    return String(reason);
  } catch {
    // A reason whose toString throws (or a null-prototype object) is still described, by its tag.
    return Object.prototype.toString.call(reason);
  }
}

/** What Node raises as the uncaught exception: the reason itself, or Node's ERR_UNHANDLED_REJECTION around it. */
export function asUncaughtError(reason: unknown): Error {
  if (isErrorLike(reason)) return reason;
  const error = new Error(`${ORIGIN} The promise rejected with the reason "${describe(reason)}".`);
  error.name = 'UnhandledPromiseRejection';
  (error as Error & { code: string }).code = 'ERR_UNHANDLED_REJECTION';
  return error;
}

/** Node's two-part UnhandledPromiseRejectionWarning, for the modes that print it when nobody handles a rejection. */
export function warnUnhandledRejection(reason: unknown): void {
  const type = 'UnhandledPromiseRejectionWarning';
  process.emitWarning(isErrorLike(reason) ? (reason.stack ?? describe(reason)) : describe(reason), type);
  process.emitWarning(
    `Unhandled promise rejection. ${ORIGIN} To terminate the node process on unhandled promise rejection, ` +
      'use the CLI flag `--unhandled-rejections=strict` (see https://nodejs.org/api/cli.html#cli_unhandled_rejections_mode).',
    type,
  );
}

/** The app's own uncaughtException listeners: not Sentry's (marked `_errorHandler`) and not Node's domain one. */
export function appUncaughtListeners(): NodeJS.UncaughtExceptionListener[] {
  return process
    .listeners('uncaughtException')
    .filter(
      (listener) => listener.name !== 'domainUncaughtExceptionClear' && Reflect.get(listener, '_errorHandler') !== true,
    );
}
