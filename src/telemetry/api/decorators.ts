/**
 * `monitorPerformance` and `captureErrors` in both forms the support code uses: TC39 method decorators
 * (`@monitorPerformance({ op })`) and wrappers for plain functions (`monitorPerformance({ op })(fn)`).
 * The wrapped function keeps its `this`, arguments, return value and sync/async nature.
 */
import { captureException, isThenable, runInSpan } from './monitoring.js';
import { ATTR_CODE_FUNCTION_NAME } from '../common/semconv.js';
import { ATTR_SENTRY_OP } from '../common/sentry-attributes.js';
import type { SentryLevel } from '../common/types.js';

/** Applies as a method decorator or wraps a function; either way the result has the original's type. */
export interface FunctionDecorator {
  <This, Args extends unknown[], Return>(
    method: (this: This, ...args: Args) => Return,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => Return>,
  ): (this: This, ...args: Args) => Return;
  <F extends (...args: never[]) => unknown>(fn: F): F;
}

type Callable = (this: unknown, ...args: unknown[]) => unknown;

/** `Class.method` for methods (static or not), the function's own name for plain functions. */
function callName(self: unknown, name: string, isMethod: boolean): string {
  if (!isMethod) return name;
  const owner =
    typeof self === 'function'
      ? self.name
      : (self as { constructor?: { name?: string } } | null | undefined)?.constructor?.name;
  return owner ? `${owner}.${name}` : name;
}

function decorator(wrap: (target: Callable, name: string, isMethod: boolean) => Callable): FunctionDecorator {
  const apply = (target: Callable, context?: ClassMethodDecoratorContext): Callable => {
    const isMethod = context !== undefined && context.kind === 'method';
    const name = isMethod ? String(context.name) : target.name || 'anonymous';
    const wrapped = wrap(target, name, isMethod);
    Object.defineProperty(wrapped, 'name', { value: target.name, configurable: true });
    return wrapped;
  };
  return apply as unknown as FunctionDecorator;
}

export interface MonitorPerformanceOptions {
  op: string;
  /** Span name; defaults to `Class.method` or the function's name. */
  name?: string;
}

/** Runs each call in a span (`sentry.op` = `op`); errors mark the span and propagate unchanged. */
export function monitorPerformance(options: MonitorPerformanceOptions): FunctionDecorator {
  return decorator(
    (target, name, isMethod) =>
      function monitored(this: unknown, ...args: unknown[]): unknown {
        const spanName = options.name ?? callName(this, name, isMethod);
        return runInSpan(
          spanName,
          { attributes: { [ATTR_SENTRY_OP]: options.op, [ATTR_CODE_FUNCTION_NAME]: name } },
          () => target.apply(this, args),
        );
      },
  );
}

export interface CaptureErrorsOptions {
  level?: SentryLevel;
  /** Rethrow after capturing (default). With `false` a failed call returns, or resolves to, `undefined`. */
  reraise?: boolean;
}

/** Captures what the function throws or rejects with, then rethrows it unless `reraise` is false. */
export function captureErrors(options: CaptureErrorsOptions = {}): FunctionDecorator {
  const level = options.level ?? 'error';
  const reraise = options.reraise ?? true;
  return decorator((target, name, isMethod) => {
    const onError = (self: unknown, error: unknown): undefined => {
      captureException(error, { level, tags: { function: callName(self, name, isMethod) } });
      if (reraise) throw error;
      return undefined;
    };
    return function guarded(this: unknown, ...args: unknown[]): unknown {
      let result: unknown;
      try {
        result = target.apply(this, args);
      } catch (error) {
        return onError(this, error);
      }
      if (!isThenable(result)) return result;
      return Promise.resolve(result).then(undefined, (error: unknown) => onError(this, error));
    };
  });
}
