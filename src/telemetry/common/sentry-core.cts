/** `@sentry/core`, CommonJS build: the copy `@sentry/node`'s CommonJS build uses (see sentry-node.cts). */
export * from '@sentry/core';
