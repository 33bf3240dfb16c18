/**
 * OTEL_TRACES_EXPORTER, OTEL_TRACES_SAMPLER(_ARG) and OTEL_PROPAGATORS. OpenTelemetry's NodeSDK is what reads them,
 * and the layer builds its own provider and pipeline instead, so they are mapped onto that pipeline here, or refused with a message:
 * a setting that is accepted and then does nothing would be worse than either.
 */
import type { EnvReader } from './env-reader.js';

export type OtelExporterChoice = 'otlp' | 'console';

const EXPORTERS_ACCEPTED = 'a comma list of otlp, console, or none alone (Sentry export follows SENTRY_DSN)';
const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
const PROPAGATORS_ACCEPTED =
  'a comma list of tracecontext and baggage, or none (the layer always propagates W3C trace context, sentry-trace and baggage)';

/** Undefined when unset or invalid; [] for `none`. */
export function readOtelTracesExporter(reader: EnvReader): OtelExporterChoice[] | undefined {
  const name = 'OTEL_TRACES_EXPORTER';
  const entries = reader.list(name);
  if (entries === undefined) return undefined;
  const words = entries.map((entry) => entry.toLowerCase());
  const unknown = words.filter((word) => word !== 'otlp' && word !== 'console' && word !== 'none');
  if (unknown.length > 0) {
    const reason = `${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not supported by this layer`;
    reader.problems.invalid(name, reader.string(name) ?? '', EXPORTERS_ACCEPTED, reason);
    return undefined;
  }
  if (words.includes('none')) {
    if (words.length > 1) {
      reader.problems.invalid(name, reader.string(name) ?? '', EXPORTERS_ACCEPTED, 'none cannot be combined');
      return undefined;
    }
    return [];
  }
  return [...new Set(words as OtelExporterChoice[])];
}

export interface SamplerRate {
  rate: number;
  /** What the user wrote, for messages. */
  source: string;
}

/** The rate OTEL_TRACES_SAMPLER(_ARG) asks for, or undefined when unset or invalid. */
export function readOtelSampler(reader: EnvReader, warnings: string[]): SamplerRate | undefined {
  const name = 'OTEL_TRACES_SAMPLER';
  const raw = reader.string(name);
  const argName = 'OTEL_TRACES_SAMPLER_ARG';
  if (raw === undefined) {
    if (reader.has(argName)) warnings.push(`${argName} is ignored: OTEL_TRACES_SAMPLER is not set.`);
    return undefined;
  }
  const sampler = reader.choice(name, SAMPLERS);
  if (sampler === undefined) return undefined;
  const source = `${name}=${sampler}`;
  const takesArgument = sampler.endsWith('traceidratio');
  if (!takesArgument && reader.has(argName)) warnings.push(`${argName} is ignored: ${sampler} takes no argument.`);
  if (!sampler.startsWith('parentbased_')) {
    warnings.push(
      `${source}: sampling follows Sentry's rules, which keep the parent's decision for continued traces; ` +
        `it acts as parentbased_${sampler}.`,
    );
  }
  if (sampler.endsWith('always_on')) return { rate: 1, source };
  if (sampler.endsWith('always_off')) return { rate: 0, source };
  // The OTel specification's default argument for traceidratio is 1.0.
  const arg = reader.has(argName) ? reader.rate(argName) : 1;
  if (arg === undefined) return undefined;
  return { rate: arg, source: `${source} with ${argName}=${arg}` };
}

/** True when OTEL_PROPAGATORS is `none`; validates the accepted values otherwise. */
export function readOtelPropagators(reader: EnvReader): { none: boolean } {
  const name = 'OTEL_PROPAGATORS';
  const entries = reader.list(name);
  if (entries === undefined) return { none: false };
  const words = entries.map((entry) => entry.toLowerCase());
  const unsupported = words.filter((word) => word !== 'tracecontext' && word !== 'baggage' && word !== 'none');
  if (unsupported.length > 0) {
    const reason = `${unsupported.join(', ')} ${unsupported.length === 1 ? 'is' : 'are'} not supported by this layer`;
    reader.problems.invalid(name, reader.string(name) ?? '', PROPAGATORS_ACCEPTED, reason);
    return { none: false };
  }
  if (words.includes('none') && words.length > 1) {
    reader.problems.invalid(name, reader.string(name) ?? '', PROPAGATORS_ACCEPTED, 'none cannot be combined');
    return { none: false };
  }
  return { none: words.includes('none') };
}
