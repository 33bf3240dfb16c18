/**
 * Uncaught exceptions, each captured. Sentry's own integration captures only the first one a process sees (it
 * expects to end the process), so an app whose uncaughtException listener keeps it serving, as plain Node lets
 * it, lost every later exception without a count. This one captures every exception and hands the process to
 * the lifecycle only when Node would end it: when the app has no listener of its own.
 */
import { isMainThread } from 'node:worker_threads';
import * as Sentry from '../common/sentry-node.js';
import type { Integration } from '@sentry/core';
import { appUncaughtListeners } from './node-rejections.js';

/** The name of Sentry's own integration, which this one stands in for (Sentry keeps one integration per name). */
export const UNCAUGHT_EXCEPTION_INTEGRATION_NAME = 'OnUncaughtException';

export function uncaughtExceptionIntegration(onFatalError: (error: Error) => void): Integration {
  return {
    name: UNCAUGHT_EXCEPTION_INTEGRATION_NAME,
    setup(client) {
      // A worker's uncaught exception ends the worker, not the process: Node reports it to the parent.
      if (!isMainThread) return;
      const handler = (error: Error): void => {
        if (Sentry.getClient() === client) {
          Sentry.captureException(error, {
            originalException: error,
            captureContext: { level: 'fatal' },
            mechanism: { handled: false, type: 'auto.node.onuncaughtexception' },
          });
        }
        if (appUncaughtListeners().length === 0) onFatalError(error);
      };
      // Sentry's mark for its own handler, which it and appUncaughtListeners() do not count as the app's.
      process.on('uncaughtException', Object.assign(handler, { _errorHandler: true }));
    },
  };
}
