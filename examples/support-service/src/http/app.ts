/** The express application: health check, the authenticated API, and the JSON error handlers. */
import { TraceFlags, trace } from '@opentelemetry/api';
import express from 'express';
import type { Express } from 'express';
import type { PipelineDeps } from '../pipeline/support-pipeline.js';
import { errorHandler, notFound } from './errors.js';
import { apiRouter } from './routes.js';
import type { RouteOptions } from './routes.js';

export function createApp(deps: PipelineDeps, options: RouteOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  // Health checks are never traced: the layer's sampler drops this path, and the handler touches nothing.
  app.get('/api/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // The trace id goes back to the caller so a support engineer can find a customer's request in any backend.
  app.use((_req, res, next) => {
    const context = trace.getActiveSpan()?.spanContext();
    if (context !== undefined && (context.traceFlags & TraceFlags.SAMPLED) !== 0)
      res.setHeader('x-trace-id', context.traceId);
    next();
  });
  app.use('/api', apiRouter(deps, options));
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
