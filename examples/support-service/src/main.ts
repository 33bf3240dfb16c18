/**
 * The customer-support service. Run it with the layer's bootstrap (`npm start`) to get traces and Sentry
 * events; without it the service runs the same and the telemetry calls do nothing.
 */
import type { AddressInfo } from 'node:net';
import { loadSupportConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { DEV_COMPANIES, seedDevelopmentData } from './db/seed.js';
import { startEscalationRetryLoop } from './escalation/retry-loop.js';
import { createApp } from './http/app.js';
import { LocalResponder } from './llm/local-responder.js';
import { OpenAiResponder } from './llm/openai-responder.js';
import type { Responder } from './llm/responder.js';
import { KnowledgeBase } from './rag/knowledge-base.js';

function main(): void {
  const config = loadSupportConfig();
  const db = openDatabase(config.databasePath);
  const seeded = seedDevelopmentData(db, config.production);
  const kb = new KnowledgeBase(config.knowledgeDir);
  const passages = kb.load(DEV_COMPANIES.map((c) => c.id));
  const responder: Responder = config.openai ? new OpenAiResponder(config.openai) : new LocalResponder();
  const escalation = {
    ...(config.escalationWebhookUrl !== undefined && { webhookUrl: config.escalationWebhookUrl }),
    timeoutMs: config.escalationTimeoutMs,
  };
  const app = createApp(
    { db, kb, responder, escalation },
    { maxBodyBytes: config.maxBodyBytes, debugRoutes: !config.production && process.env.SUPPORT_DEBUG_ROUTES === '1' },
  );
  const stopRetries = startEscalationRetryLoop(db, escalation, config.escalationRetryMs);

  const cannotListen = (error: NodeJS.ErrnoException): never => {
    const reason =
      error.code === 'EADDRINUSE'
        ? `port ${config.port} is in use, set PORT`
        : `cannot listen on ${config.host}:${config.port}: ${error.message}`;
    console.error(`support service: ${reason}`);
    process.exit(1);
  };
  // Express 5 calls the listen callback with the error too (before the server's own 'error' listeners).
  const server = app.listen(config.port, config.host, (error?: Error) => {
    if (error) return cannotListen(error);
    const { port } = server.address() as AddressInfo;
    // The test kit and the demo wait for this exact line.
    console.log(`LISTENING ${port}`);
    const shown = config.host === '0.0.0.0' ? 'localhost' : config.host;
    console.log(
      `Support service on http://${shown}:${port} (database ${config.databasePath}, ${passages} knowledge passages, completions: ${responder.provider} ${responder.model})`,
    );
    if (!config.production) {
      const keys = DEV_COMPANIES.map((c) => `${c.id}: X-API-Key ${c.apiKey}`).join(', ');
      console.log(`Development API keys${seeded ? ' (seeded now)' : ''}: ${keys}`);
    }
    if (escalation.webhookUrl === undefined)
      console.log('ESCALATION_WEBHOOK_URL unset: escalations wait in the database queue.');
  });
  server.on('error', cannotListen);

  process.on('exit', () => {
    stopRetries();
    db.close();
  });
  // With the bootstrap loaded the layer owns SIGTERM/SIGINT (drain, flush, exit); only without it does the
  // service close its own server, so the two never race to exit.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    if (process.listenerCount(signal) > 0) continue;
    process.once(signal, () => {
      server.close(() => process.exit(0));
      server.closeIdleConnections();
      setTimeout(() => process.exit(0), 5000).unref();
    });
  }
}

main();
