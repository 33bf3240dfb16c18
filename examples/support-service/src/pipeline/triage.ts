/**
 * The Triage agent's rules: category, priority and sentiment from the message's words. Rules rather than a
 * model, so triage is instant, free, and the same on every completion path.
 */
import { contentTerms } from '../rag/knowledge-base.js';

export type Category = 'billing' | 'account' | 'shipping' | 'technical' | 'general';
export type Priority = 'low' | 'medium' | 'high' | 'urgent';
export type Sentiment = 'positive' | 'neutral' | 'negative';

export interface TriageResult {
  category: Category;
  priority: Priority;
  sentiment: Sentiment;
}

const CATEGORY_WORDS: Record<Exclude<Category, 'general'>, readonly string[]> = {
  billing: [
    'bill',
    'billing',
    'invoice',
    'charge',
    'charged',
    'refund',
    'payment',
    'card',
    'price',
    'receipt',
    'subscription',
    'plan',
    'trial',
  ],
  account: ['account', 'password', 'login', 'sign', 'locked', 'email', 'profile', 'delete', 'username'],
  shipping: [
    'shipping',
    'delivery',
    'deliver',
    'delivered',
    'order',
    'package',
    'tracking',
    'track',
    'shipped',
    'address',
    'damaged',
    'return',
    'customs',
  ],
  technical: [
    'app',
    'crash',
    'crashes',
    'error',
    'bug',
    'broken',
    'notifications',
    'api',
    'integration',
    'code',
    'install',
    'down',
    'outage',
  ],
};

const URGENT = new Set(['urgent', 'urgently', 'asap', 'immediately', 'emergency', 'outage']);
const HIGH = new Set(['lawyer', 'legal', 'fraud', 'stolen', 'hacked', 'unauthorized', 'chargeback', 'down']);
const NEGATIVE = new Set([
  'angry',
  'terrible',
  'awful',
  'worst',
  'furious',
  'unacceptable',
  'horrible',
  'ridiculous',
  'disappointed',
  'scam',
  'useless',
  'hate',
]);
const POSITIVE = new Set(['great', 'love', 'awesome', 'excellent', 'perfect', 'happy', 'wonderful', 'appreciate']);

export function triage(text: string): TriageResult {
  const terms = contentTerms(text);
  let category: Category = 'general';
  let best = 0;
  for (const [name, words] of Object.entries(CATEGORY_WORDS) as [Exclude<Category, 'general'>, readonly string[]][]) {
    const hits = terms.filter((t) => words.includes(t)).length;
    if (hits > best) {
      best = hits;
      category = name;
    }
  }
  const negative = terms.filter((t) => NEGATIVE.has(t)).length;
  const positive = terms.filter((t) => POSITIVE.has(t)).length;
  const sentiment: Sentiment = negative > positive ? 'negative' : positive > negative ? 'positive' : 'neutral';
  let priority: Priority = category === 'general' ? 'low' : 'medium';
  if (terms.some((t) => HIGH.has(t))) priority = 'high';
  if (terms.some((t) => URGENT.has(t))) priority = 'urgent';
  return { category, priority, sentiment };
}
