// Environment builders for apps under test: the standard SENTRY_* / OTEL_* names pointed at the kit's servers.

export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';

/** `SENTRY_DSN` of a fake Sentry. */
export function sentryEnv(sentry: { dsn: string }): Record<string, string> {
  return { SENTRY_DSN: sentry.dsn };
}

/**
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (the base URL; exporters append /v1/traces over HTTP) and
 * `OTEL_EXPORTER_OTLP_PROTOCOL` for an OTLP receiver (HTTP) or gRPC receiver (use protocol `grpc`).
 */
export function otlpEnv(receiver: { url: string }, protocol: OtlpProtocol = 'http/protobuf'): Record<string, string> {
  return { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: protocol };
}
