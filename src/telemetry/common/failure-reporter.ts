/**
 * At most one warning per interval for one failing stream (a span exporter, Sentry events): a backend that is
 * down for an hour says so once a minute, not once per batch.
 */
export class FailureReporter {
  private lastWarnAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
    private readonly intervalMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Writes the line `format` builds (given the seconds to the next warning) unless one was written lately. */
  report(format: (nextWarningInS: number) => string): boolean {
    const now = this.now();
    if (now - this.lastWarnAt < this.intervalMs) return false;
    this.lastWarnAt = now;
    this.write(format(Math.round(this.intervalMs / 1000)));
    return true;
  }
}
