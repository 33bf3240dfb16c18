// The real-wire test kit: fake backends on loopback, child-process apps, and OTLP decoding.
export * from './fault.js';
export * from './waiters.js';
export * from './otlp-normalize.js';
export * from './otlp-proto.js';
export * from './otlp-http-decode.js';
export * from './faultable-http-server.js';
export * from './otlp-receiver.js';
export * from './otlp-grpc-receiver.js';
export * from './sentry-auth.js';
export * from './fake-sentry.js';
export * from './span-queries.js';
export * from './app-process.js';
export * from './app-env.js';
export * from './http-client.js';
export * from './load.js';
export * from './cleanup.js';
