/** The authenticated API routes: message ingest and ticket lookup. */
import type { Request, Response } from 'express';
import { Router, json } from 'express';
import { addBreadcrumb, setContext, setTag } from 'otel-sentry-bridge';
import { escalationsForTicket } from '../db/escalations.js';
import { getTicket, listInteractions } from '../db/tickets.js';
import type { PipelineDeps } from '../pipeline/support-pipeline.js';
import { runSupportPipeline } from '../pipeline/support-pipeline.js';
import { authenticate, ownerOf } from './auth.js';
import { verifyJsonBody } from './body-checks.js';
import { IngestMessageSchema, fieldErrors } from './schemas.js';

export interface RouteOptions {
  maxBodyBytes: number;
  /** Mounts `GET /api/debug/error`, which throws, to check error capture end to end (never in production). */
  debugRoutes: boolean;
}

export function apiRouter(deps: PipelineDeps, options: RouteOptions): Router {
  const router = Router();
  // On each route rather than router.use: a request refused here has matched its route already, so its server
  // span is named `POST /api/ingest-message`, not `POST /api` (the router's mount path).
  const auth = authenticate(deps.db);

  router.post(
    '/ingest-message',
    auth,
    json({ limit: options.maxBodyBytes, verify: verifyJsonBody }),
    async (req: Request, res: Response) => {
      const owner = ownerOf(res);
      const parsed = IngestMessageSchema.safeParse(req.body);
      if (!parsed.success) {
        res.status(400).json({ error: 'invalid_request', ...fieldErrors(parsed.error) });
        return;
      }
      const message = parsed.data;
      setTag('channel', message.channel);
      setContext('message', { channel: message.channel, length: message.text.length });
      addBreadcrumb({
        message: 'Message received',
        category: 'ingest',
        level: 'info',
        data: { channel: message.channel, length: message.text.length },
      });
      const outcome = await runSupportPipeline(deps, {
        owner,
        channel: message.channel,
        text: message.text,
        externalUserId: message.external_user_id,
      });
      res.json({
        status: outcome.status,
        ticket_id: outcome.ticketId,
        response: outcome.response,
        confidence: outcome.confidence,
        escalated: outcome.escalated,
      });
    },
  );

  router.get('/tickets/:ticket_id', auth, (req: Request, res: Response) => {
    const owner = ownerOf(res);
    const ticketId = String(req.params.ticket_id);
    const ticket = getTicket(deps.db, owner.companyId, ticketId);
    if (ticket === undefined) {
      res.status(404).json({ error: 'not_found', message: 'No such ticket.' });
      return;
    }
    res.json({
      ticket_id: ticket.id,
      status: ticket.status,
      channel: ticket.channel,
      external_user_id: ticket.externalUserId,
      category: ticket.category,
      priority: ticket.priority,
      sentiment: ticket.sentiment,
      queue: ticket.queue,
      confidence: ticket.confidence,
      escalated: ticket.escalated,
      created_at: ticket.createdAt,
      updated_at: ticket.updatedAt,
      interactions: listInteractions(deps.db, ticket.id).map((i) => ({
        role: i.role,
        text: i.text,
        confidence: i.confidence,
        created_at: i.createdAt,
      })),
      escalations: escalationsForTicket(deps.db, ticket.id).map((e) => ({
        id: e.id,
        reason: e.reason,
        status: e.status,
        attempts: e.attempts,
      })),
    });
  });

  if (options.debugRoutes) {
    router.get('/debug/error', auth, () => {
      throw new Error('Debug error: error capture check');
    });
  }
  return router;
}
