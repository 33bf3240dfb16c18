/**
 * Request headers as `tracesSampler` may see them, scrubbed by the redactor's rules like everything that leaves
 * the process: credential, session and payment headers withheld whole, other values scrubbed as any string.
 */
import { FILTERED, type Redactor } from './redactor.js';

export function scrubHeaders(headers: Readonly<Record<string, unknown>>, redactor: Redactor): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    const lower = name.toLowerCase();
    result[lower] = redactor.isSensitiveHeader(lower) ? FILTERED : redactor.scrubString(text);
  }
  return result;
}
