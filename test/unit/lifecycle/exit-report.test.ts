import { describe, expect, it } from 'vitest';
import { deliveredSince, exitTally, lostOverLife, notDelivered } from '../../../src/telemetry/lifecycle/exit-report.js';

const stats = (received: number, exported: number, dropped: number, pending: number, refused = 0) => ({
  received,
  exported,
  dropped,
  refused,
  pending,
});
const events = (sent: number, dropped: number, pending: number, tracked = true) => ({
  tracked,
  sent,
  dropped,
  droppedBy: { rateLimit: 0, network: dropped, queueOverflow: 0, other: 0 },
  pending,
});

describe('exit report', () => {
  it('names what went out during the exit, per backend, and the Sentry events when Sentry is on', () => {
    const before = exitTally({ sentry: stats(5, 0, 0, 5), otlp: stats(5, 0, 0, 5) }, events(0, 0, 1));
    const after = exitTally({ sentry: stats(7, 7, 0, 0), otlp: stats(7, 7, 0, 0) }, events(1, 0, 0));
    expect(deliveredSince(before, after)).toBe('flushed 7 spans to sentry, 7 to otlp and 1 Sentry event');
    expect(notDelivered(before, after)).toBe('');
    const off = exitTally({ otlp: stats(1, 1, 0, 0) }, events(0, 0, 0, false));
    expect(deliveredSince(exitTally({ otlp: stats(1, 0, 0, 1) }, events(0, 0, 0, false)), off)).toBe(
      'flushed 1 span to otlp',
    );
  });

  it('counts as not delivered what was dropped during the exit or is still pending, and nothing from before', () => {
    const before = exitTally({ otlp: stats(10, 0, 6, 4) }, events(0, 2, 1));
    const after = exitTally({ otlp: stats(12, 0, 9, 3) }, events(0, 3, 1));
    expect(notDelivered(before, after)).toBe(
      '6 spans not delivered (otlp: 12 received, 0 exported, 9 dropped, 3 pending), 2 Sentry events not delivered',
    );
  });

  it('does not count as undelivered what the logs rate limit refused during the exit', () => {
    const before = exitTally({ 'otlp-logs': stats(100, 90, 10, 0, 10) }, events(0, 0, 0, false), {
      'otlp-logs': 'log record',
    });
    const refusedOnly = exitTally({ 'otlp-logs': stats(5100, 1090, 4010, 0, 4010) }, events(0, 0, 0, false), {
      'otlp-logs': 'log record',
    });
    expect(notDelivered(before, refusedOnly)).toBe('');
    // A refused record and a failed export in the same exit: only the failure is undelivered.
    const withFailure = exitTally({ 'otlp-logs': stats(5100, 1088, 4012, 0, 4010) }, events(0, 0, 0, false), {
      'otlp-logs': 'log record',
    });
    expect(notDelivered(before, withFailure)).toBe(
      '2 log records not delivered (otlp-logs: 5100 received, 1088 exported, 4012 dropped)',
    );
  });

  it("names what was lost over the process's life, per exporter with its last cause, and events by cause", () => {
    const lost = lostOverLife(
      { sentry: { dropped: 227062, lastCause: 'connect ECONNREFUSED 10.0.0.7:443' }, otlp: { dropped: 0 } },
      {
        ...events(100, 6400, 0),
        droppedBy: { rateLimit: 400, network: 6000, queueOverflow: 0, other: 0 },
        lastCause: 'connect ECONNREFUSED 10.0.0.7:443',
      },
    );
    expect(lost).toBe(
      "lost over the process's life: sentry 227062 spans (last cause: connect ECONNREFUSED 10.0.0.7:443), otlp 0;" +
        ' Sentry events 6400 (400 rate limited, 6000 network error; last cause: connect ECONNREFUSED 10.0.0.7:443)',
    );
    expect(lostOverLife({ otlp: { dropped: 0 } }, events(3, 0, 0))).toBe('');
  });

  it('names log records apart from spans, each pipeline under what it carries', () => {
    const units = { 'sentry-logs': 'log record', 'otlp-logs': 'log record' };
    const before = exitTally(
      { otlp: stats(4, 0, 0, 4), 'sentry-logs': stats(3, 0, 0, 3), 'otlp-logs': stats(3, 0, 0, 3) },
      events(0, 0, 0, false),
      units,
    );
    const after = exitTally(
      { otlp: stats(4, 4, 0, 0), 'sentry-logs': stats(3, 3, 0, 0), 'otlp-logs': stats(3, 1, 2, 0) },
      events(0, 0, 0, false),
      units,
    );
    expect(deliveredSince(before, after)).toBe(
      'flushed 4 spans to otlp, 3 log records to sentry-logs and 1 to otlp-logs',
    );
    expect(notDelivered(before, after)).toBe(
      '2 log records not delivered (sentry-logs: 3 received, 3 exported, 0 dropped; otlp-logs: 3 received, 1 exported, 2 dropped)',
    );
    expect(
      lostOverLife(
        { otlp: { dropped: 0 }, 'otlp-logs': { dropped: 2, lastCause: 'HTTP 503 Service Unavailable' } },
        events(0, 0, 0, false),
        units,
      ),
    ).toBe("lost over the process's life: otlp 0, otlp-logs 2 log records (last cause: HTTP 503 Service Unavailable)");
  });
});
