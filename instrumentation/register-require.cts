/**
 * What `--require otel-sentry-bridge/register` (or a require() of it) loads: the bootstrap is an ES module with
 * top-level await, which require() cannot load (ERR_REQUIRE_ASYNC_MODULE and a stack). Say what to do instead and
 * stop, rather than run the app without telemetry.
 */
process.stderr.write(
  'otel-sentry-bridge: load the bootstrap with --import, not --require: node --import otel-sentry-bridge/register app.js\n',
);
process.exit(1);
