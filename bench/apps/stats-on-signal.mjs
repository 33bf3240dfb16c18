// Loaded with --import after the bootstrap in the gzip section: on SIGUSR2 the process flushes and prints the
// layer's own per-exporter counts (received = exported + dropped + pending), which the receiver cannot know.
process.on('SIGUSR2', async () => {
  const { getTelemetry } = await import('../../dist/src/telemetry/lifecycle/start.js');
  const telemetry = await getTelemetry();
  const flushed = await telemetry.flush(15_000);
  const { sentryEvents, ...exporters } = telemetry.stats();
  process.stdout.write(`STATS ${JSON.stringify({ flushed, exporters, sentryEvents })}\n`);
});
