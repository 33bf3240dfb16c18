/**
 * The support pipeline: Triage -> Router -> Resolver -> Escalator, one `invoke_workflow support_pipeline` span
 * with one `invoke_agent <Name>` span per agent. The `pipeline` context names the current agent and step
 * (the layer copies it onto the spans started under it), and every step leaves a breadcrumb.
 */
import type { Span } from '@opentelemetry/api';
import { addBreadcrumb, setContext, withAgentSpan, withWorkflowSpan } from 'otel-sentry-bridge';
import type { ApiKeyOwner } from '../db/api-keys.js';
import type { Db } from '../db/database.js';
import type { Channel } from '../db/tickets.js';
import { addInteraction, createTicket, findOpenTicket, updateTicketOutcome } from '../db/tickets.js';
import type { Responder } from '../llm/responder.js';
import type { KnowledgeBase } from '../rag/knowledge-base.js';
import { emitBusinessEvent } from './business-events.js';
import { HIGH_CONFIDENCE, LOW_CONFIDENCE } from './confidence.js';
import type { EscalationSettings } from './escalator.js';
import { escalate, escalationReason } from './escalator.js';
import { resolve } from './resolver.js';
import { route } from './router.js';
import { triage } from './triage.js';

export const WORKFLOW_NAME = 'support_pipeline';
const AGENTS = ['Triage', 'Router', 'Resolver', 'Escalator'] as const;
type AgentName = (typeof AGENTS)[number];

const DESCRIPTIONS: Record<AgentName, string> = {
  Triage: 'Classifies category, priority and sentiment',
  Router: 'Chooses the queue that owns the ticket',
  Resolver: 'Answers from the knowledge base',
  Escalator: 'Hands the ticket to a human when needed',
};

export interface PipelineDeps {
  db: Db;
  kb: KnowledgeBase;
  responder: Responder;
  escalation: EscalationSettings;
}

export interface IngestInput {
  owner: ApiKeyOwner;
  channel: Channel;
  text: string;
  externalUserId: string;
}

export interface IngestOutcome {
  status: 'answered' | 'escalated';
  ticketId: string;
  response: string;
  confidence: number;
  escalated: boolean;
}

function agent<T>(
  name: AgentName,
  ticketId: string,
  fn: (span: Span) => T,
  extra: { provider?: string; model?: string } = {},
): T {
  const step = AGENTS.indexOf(name) + 1;
  setContext('pipeline', { current_agent: name, step, total_steps: AGENTS.length });
  addBreadcrumb({ message: `${name} agent started`, category: 'pipeline', level: 'info', data: { step } });
  return withAgentSpan({ name, description: DESCRIPTIONS[name], conversationId: ticketId, ...extra }, fn);
}

export function runSupportPipeline(deps: PipelineDeps, input: IngestInput): Promise<IngestOutcome> {
  const { db } = deps;
  const { owner } = input;
  return withWorkflowSpan({ name: WORKFLOW_NAME }, async (workflow): Promise<IngestOutcome> => {
    let ticket = findOpenTicket(db, owner.companyId, input.externalUserId);
    const isNew = ticket === undefined;
    if (ticket === undefined) {
      ticket = createTicket(db, owner.companyId, input.externalUserId, input.channel);
      emitBusinessEvent(
        workflow,
        'New ticket created',
        { company_id: owner.companyId, channel: input.channel },
        { ticket_id: ticket.id },
      );
    }
    const ticketId = ticket.id;
    workflow.setAttribute('gen_ai.conversation.id', ticketId);
    workflow.setAttribute('support.ticket_id', ticketId);
    setContext('ticket', { ticket_id: ticketId, new_ticket: isNew, channel: input.channel });
    addInteraction(db, ticketId, { role: 'customer', text: input.text, confidence: null });
    addBreadcrumb({
      message: isNew ? 'Ticket created' : 'Follow-up on open ticket',
      category: 'ticket',
      level: 'info',
      data: { ticket_id: ticketId },
    });

    const triaged = agent('Triage', ticketId, (span) => {
      const result = triage(input.text);
      span.setAttributes({
        'support.category': result.category,
        'support.priority': result.priority,
        'support.sentiment': result.sentiment,
      });
      addBreadcrumb({ message: 'Ticket triaged', category: 'pipeline', level: 'info', data: { ...result } });
      return result;
    });

    const routed = agent('Router', ticketId, (span) => {
      const result = route(triaged);
      span.setAttribute('support.queue', result.queue);
      addBreadcrumb({ message: 'Ticket routed', category: 'pipeline', level: 'info', data: { queue: result.queue } });
      return result;
    });

    const resolution = await agent(
      'Resolver',
      ticketId,
      async (span) => {
        const result = await resolve(deps.kb, deps.responder, {
          companyId: owner.companyId,
          companyName: owner.companyName,
          ticketId,
          text: input.text,
        });
        span.setAttribute('support.confidence', result.confidence);
        span.setAttribute('support.model_failed', result.modelFailed);
        return result;
      },
      { provider: deps.responder.provider, model: deps.responder.model },
    );
    const { confidence } = resolution;

    const reason = escalationReason(triaged, confidence, resolution.modelFailed);
    const outcome = { ...triaged, queue: routed.queue, confidence, escalated: reason !== undefined };
    updateTicketOutcome(db, ticketId, outcome);
    addInteraction(db, ticketId, { role: 'assistant', text: resolution.answer, confidence });

    if (confidence >= HIGH_CONFIDENCE) {
      emitBusinessEvent(
        workflow,
        'High confidence response generated',
        { ticket_id: ticketId, company_id: owner.companyId, confidence: String(confidence) },
        { response_length: resolution.answer.length },
      );
    } else if (confidence < LOW_CONFIDENCE) {
      emitBusinessEvent(
        workflow,
        'Low confidence response',
        { ticket_id: ticketId, company_id: owner.companyId, confidence: String(confidence) },
        { response_length: resolution.answer.length, results_count: resolution.search.passages.length },
      );
    }

    const escalation = await agent('Escalator', ticketId, async (span) => {
      span.setAttribute('support.escalated', reason !== undefined);
      if (reason === undefined) {
        addBreadcrumb({ message: 'No escalation needed', category: 'pipeline', level: 'info' });
        return undefined;
      }
      span.setAttribute('support.escalation_reason', reason);
      return escalate(db, deps.escalation, { id: ticketId, companyId: owner.companyId }, reason, workflow);
    });

    const escalated = reason !== undefined || ticket.escalated;
    workflow.setAttributes({
      'support.category': triaged.category,
      'support.priority': triaged.priority,
      'support.sentiment': triaged.sentiment,
      'support.queue': routed.queue,
      'support.confidence': confidence,
      'support.escalated': escalated,
    });
    if (reason !== undefined) workflow.setAttribute('support.escalation_reason', reason);
    if (escalation !== undefined) workflow.setAttribute('support.escalation_delivered', escalation.delivered);
    setContext('ticket', {
      ticket_id: ticketId,
      priority: triaged.priority,
      category: triaged.category,
      escalated,
    });
    setContext('pipeline', { current_agent: null, step: AGENTS.length, total_steps: AGENTS.length, completed: true });

    return {
      status: escalated ? 'escalated' : 'answered',
      ticketId,
      response: resolution.answer,
      confidence,
      escalated,
    };
  });
}
