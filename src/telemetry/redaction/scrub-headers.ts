/** Request headers as `tracesSampler` may see them: credentials and session material replaced. */

// The same families of names as the redactor's key rules, payment and identity fields included.
const SENSITIVE = /authorization|cookie|token|secret|passw|api[-_]?key|session|csrf|xsrf|signature|credential|private[-_]?key|card|cvv|cvc|ssn|iban/i;

export function scrubHeaders(headers: Readonly<Record<string, unknown>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    result[name.toLowerCase()] = SENSITIVE.test(name) ? '[Filtered]' : text;
  }
  return result;
}
