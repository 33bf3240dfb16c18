/** OTEL_RESOURCE_ATTRIBUTES: `key=value,key2=value2`, percent-decoded, as in the OTel specification. */
import type { EnvReader } from './env-reader.js';

const NAME = 'OTEL_RESOURCE_ATTRIBUTES';
const ACCEPTED =
  'a comma list of key=value pairs with percent-encoded values, e.g. team=support,deployment.region=eu%20west';

export function readResourceAttributes(reader: EnvReader): Record<string, string> {
  const raw = reader.string(NAME);
  if (raw === undefined) return {};
  const attributes: Record<string, string> = {};
  for (const entry of raw.split(',')) {
    if (entry.trim() === '') continue;
    const eq = entry.indexOf('=');
    let key = '';
    let value = '';
    try {
      key = eq > 0 ? decodeURIComponent(entry.slice(0, eq).trim()) : '';
      value = eq > 0 ? decodeURIComponent(entry.slice(eq + 1).trim()) : '';
    } catch {
      // A malformed percent escape: reported below as an invalid entry.
      key = '';
    }
    if (key === '') {
      reader.problems.invalid(NAME, raw, ACCEPTED, `the entry ${JSON.stringify(entry.trim())} is not key=value`);
      return {};
    }
    attributes[key] = value;
  }
  return attributes;
}
