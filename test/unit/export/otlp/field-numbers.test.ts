import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as fields from '../../../../src/telemetry/export/otlp/field-numbers.js';

const PROTO = new URL('../../../kit/proto/opentelemetry/proto/', import.meta.url);
const FILES = [
  'trace/v1/trace.proto',
  'common/v1/common.proto',
  'resource/v1/resource.proto',
  'collector/trace/v1/trace_service.proto',
];

/** `Message.Nested.field` -> number, from the .proto text: messages nest by braces, a oneof's fields are its message's. */
function protoFields(): Map<string, number> {
  const found = new Map<string, number>();
  for (const file of FILES) {
    const scopes: Array<string | undefined> = [];
    for (const raw of readFileSync(new URL(file, PROTO), 'utf8').split('\n')) {
      const line = raw.replace(/\/\/.*/, '').trim();
      const open = /^(message|oneof|enum|service)\s+(\w+)\s*\{/.exec(line);
      if (open) {
        scopes.push(open[1] === 'message' ? open[2] : open[1] === 'oneof' ? '' : undefined);
        continue;
      }
      if (line.startsWith('}')) {
        scopes.pop();
        continue;
      }
      const field = /^(?:repeated\s+)?[\w.]+\s+(\w+)\s*=\s*(\d+)\s*;/.exec(line);
      if (field && scopes.length > 0 && !scopes.includes(undefined)) {
        const path = scopes.filter((s) => s !== '').join('.');
        found.set(`${path}.${field[1]}`, Number(field[2]));
      }
    }
  }
  return found;
}

/** SPAN_EVENT_TIME_UNIX_NANO <- Span.Event.time_unix_nano: message names in upper snake case, joined by `_`. */
const snake = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

describe('OTLP field numbers', () => {
  const proto = protoFields();
  const byConstant = new Map([...proto].map(([path, number]) => [snake(path.replaceAll('.', '_')), { path, number }]));

  it('reads the .proto files of the test kit', () => {
    expect(proto.get('Span.attributes')).toBe(9);
    expect(proto.get('Span.Event.time_unix_nano')).toBe(1);
    expect(proto.get('AnyValue.kvlist_value')).toBe(6);
  });

  it.each(Object.entries(fields))('%s is the field of that name in opentelemetry-proto', (name, value) => {
    const field = byConstant.get(name);
    expect(field, `${name} names no field of the OTLP .proto files`).toBeDefined();
    expect(value, `${name} (${field?.path})`).toBe(field?.number);
  });
});
