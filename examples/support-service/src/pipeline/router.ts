/** The Router agent: which human queue owns a ticket, should it need one. */
import type { TriageResult } from './triage.js';

export interface RouteResult {
  queue: string;
}

export function route(result: TriageResult): RouteResult {
  const tier = result.priority === 'urgent' || result.priority === 'high' ? 'priority' : 'standard';
  return { queue: `${result.category}.${tier}` };
}
