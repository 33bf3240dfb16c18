import type { Client, Event } from '@sentry/core';
import { describe, expect, it } from 'vitest';
import { exceptionDedupeIntegration } from '../../../src/telemetry/sentry/exception-dedupe.js';

// Events as Sentry's event builders make them, with a stack from the same call site every time.
const frames = [{ filename: '/app/dist/pipeline.js', function: 'emitBusinessEvent', lineno: 30, colno: 19 }];
const message = (text: string): Event => ({
  message: text,
  level: 'info',
  tags: { ticket_id: `TICKET-${Math.random()}` },
  exception: { values: [{ value: text, stacktrace: { frames } }] },
});
const failure = (text: string): Event => ({
  exception: { values: [{ type: 'Error', value: text, stacktrace: { frames } }] },
});

function dedupe(): (event: Event) => Event | null {
  const integration = exceptionDedupeIntegration();
  // Sentry's dedupe reads neither the hint nor the client.
  return (event) => integration.processEvent?.(event, {}, {} as Client) as Event | null;
}

describe('exceptionDedupeIntegration', () => {
  it('keeps every message, also one equal to the message before it', () => {
    const process = dedupe();
    const first = message('New ticket created');
    const second = message('New ticket created');
    expect(process(first)).toBe(first);
    expect(process(second)).toBe(second);
  });

  it('still drops an exception equal to the exception before it, whatever messages came between', () => {
    const process = dedupe();
    const first = failure('database is locked');
    expect(process(first)).toBe(first);
    expect(process(message('New ticket created'))).not.toBeNull();
    expect(process(failure('database is locked'))).toBeNull();
    const other = failure('disk I/O error');
    expect(process(other)).toBe(other);
  });
});
