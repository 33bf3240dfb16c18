/**
 * Database spans through the OpenTelemetry API, in the database semantic conventions: system, operation,
 * collection and a low-cardinality query summary. Never statement values: tickets hold customers' words.
 *
 * The attribute names are the stable `db.*` conventions (ATTR_DB_SYSTEM_NAME, ATTR_DB_OPERATION_NAME,
 * ATTR_DB_COLLECTION_NAME, ATTR_DB_QUERY_SUMMARY, ATTR_DB_NAMESPACE); the example imports only the OTel API and
 * the layer's public API, so they are spelled out here, in one place.
 */
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

const tracer = trace.getTracer('support-service.db');

export type DbOperation = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

let namespace = 'support';

/** The database name used as `db.namespace` (the file's base name). */
export function setDbNamespace(name: string): void {
  namespace = name;
}

/** Runs one synchronous better-sqlite3 call inside a client span named by its query summary. */
export function dbSpan<T>(operation: DbOperation, collection: string, fn: () => T): T {
  const summary = `${operation} ${collection}`;
  return tracer.startActiveSpan(
    summary,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'db.system.name': 'sqlite',
        'db.operation.name': operation,
        'db.collection.name': collection,
        'db.query.summary': summary,
        'db.namespace': namespace,
      },
    },
    (span) => {
      try {
        return fn();
      } catch (error) {
        const err = error instanceof Error ? error : new Error(String(error));
        span.recordException(err);
        span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
        span.setAttribute('error.type', (err as { code?: unknown }).code?.toString() ?? err.name);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
