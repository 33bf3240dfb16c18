/**
 * Which span exporters run: TELEMETRY_EXPORTERS when set, else OTEL_TRACES_EXPORTER's choice plus Sentry when
 * a DSN is set, else a default that follows what is configured.
 */
import type { ExporterName } from '../common/types.js';
import type { EnvReader } from './env-reader.js';
import type { OtelExporterChoice } from './otel-standard.js';

const NAME = 'TELEMETRY_EXPORTERS';
const ACCEPTED = 'a comma list of sentry, otlp, console, or none alone';
const KNOWN = new Set(['sentry', 'otlp', 'console', 'none']);

export const NO_EXPORTER_WARNING =
  'no exporter: spans are sampled and propagated but not exported. Set SENTRY_DSN, OTEL_EXPORTER_OTLP_ENDPOINT ' +
  'or TELEMETRY_EXPORTERS=console to see them.';

export interface ExporterInputs {
  /** SENTRY_DSN is set (valid or not: an invalid one is reported on its own). */
  dsnGiven: boolean;
  /** An OTLP endpoint variable is set (same remark). */
  otlpEndpointGiven: boolean;
  environment: string;
  otelChoice: OtelExporterChoice[] | undefined;
}

export function readExporters(reader: EnvReader, inputs: ExporterInputs, warnings: string[]): ExporterName[] {
  const requested = reader.list(NAME);
  const exporters =
    requested !== undefined ? fromTelemetryExporters(reader, requested, inputs, warnings) : fromDefaults(inputs);
  if (exporters.length === 0 && requested === undefined) warnings.push(NO_EXPORTER_WARNING);
  return exporters;
}

function fromTelemetryExporters(
  reader: EnvReader,
  requested: string[],
  inputs: ExporterInputs,
  warnings: string[],
): ExporterName[] {
  const raw = reader.string(NAME) ?? '';
  const words = [...new Set(requested.map((entry) => entry.toLowerCase()))];
  const unknown = words.filter((word) => !KNOWN.has(word));
  if (words.length === 0 || unknown.length > 0) {
    const reason = unknown.length > 0 ? `unknown exporter ${unknown.join(', ')}` : 'the list is empty';
    reader.problems.invalid(NAME, raw, ACCEPTED, reason);
    return [];
  }
  if (words.includes('none')) {
    if (words.length > 1) reader.problems.invalid(NAME, raw, ACCEPTED, 'none cannot be combined with exporters');
    return [];
  }
  if (words.includes('sentry') && !inputs.dsnGiven) {
    reader.problems.invalid(
      NAME,
      raw,
      `${ACCEPTED}; sentry needs SENTRY_DSN`,
      'sentry is requested but SENTRY_DSN is not set',
    );
  }
  if (words.includes('otlp') && !inputs.otlpEndpointGiven) {
    reader.problems.invalid(
      NAME,
      raw,
      `${ACCEPTED}; otlp needs OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`,
      'otlp is requested but no OTLP endpoint is set',
    );
  }
  if (inputs.otelChoice !== undefined) {
    warnings.push(`OTEL_TRACES_EXPORTER is ignored: TELEMETRY_EXPORTERS=${raw} decides the exporters.`);
  }
  return words as ExporterName[];
}

function fromDefaults(inputs: ExporterInputs): ExporterName[] {
  const exporters: ExporterName[] = [];
  if (inputs.dsnGiven) exporters.push('sentry');
  if (inputs.otelChoice !== undefined) {
    exporters.push(...inputs.otelChoice);
    return exporters;
  }
  if (inputs.otlpEndpointGiven) exporters.push('otlp');
  if (!inputs.dsnGiven && !inputs.otlpEndpointGiven && inputs.environment !== 'production') {
    exporters.push('console');
  }
  return exporters;
}
