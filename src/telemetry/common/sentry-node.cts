/**
 * `@sentry/node` as the layer loads it: its CommonJS build. Sentry's ES module graph (about 570 files) takes about
 * twice as long to load as the same code required; the register hook (instrumentation/sentry-cjs-hook.ts) sends the
 * application's own `import '@sentry/node'` here too, so the process holds one copy of Sentry, not two.
 */
export * from '@sentry/node';
