/** The express application: health check, the authenticated API, and the JSON error handlers. */
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
  app.use('/api', apiRouter(deps, options));
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
