/**
 * The support service's own settings, read once from the environment. Telemetry settings are the layer's
 * business (SENTRY_*, OTEL_*, TELEMETRY_*); nothing here reads them.
 */
import path from 'node:path';
import { packageRoot } from './paths.js';

export interface OpenAiSettings {
  apiKey: string;
  baseURL?: string;
  model: string;
  timeoutMs: number;
  maxRetries: number;
}

export interface SupportConfig {
  port: number;
  host: string;
  production: boolean;
  databasePath: string;
  knowledgeDir: string;
  /** Unset: escalations wait in the database queue. */
  escalationWebhookUrl?: string;
  escalationTimeoutMs: number;
  /** How often queued escalations are retried; 0 turns the retry loop off. */
  escalationRetryMs: number;
  openai?: OpenAiSettings;
  maxBodyBytes: number;
}

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name}=${JSON.stringify(raw)} is not valid: expected an integer from ${min} to ${max}`);
  }
  return value;
}

function urlFrom(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    return url.toString();
  } catch {
    throw new Error(`${name}=${JSON.stringify(raw)} is not valid: expected an http(s) URL`);
  }
}

export function loadSupportConfig(env: NodeJS.ProcessEnv = process.env): SupportConfig {
  const root = packageRoot();
  const apiKey = env.OPENAI_API_KEY?.trim();
  const baseURL = urlFrom(env, 'OPENAI_BASE_URL');
  const escalationWebhookUrl = urlFrom(env, 'ESCALATION_WEBHOOK_URL');
  return {
    port: intFrom(env, 'PORT', 8000, 0, 65535),
    // Development seeds well-known API keys: reachable from this machine only unless HOST says otherwise.
    host: env.HOST?.trim() || (env.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1'),
    production: env.NODE_ENV === 'production',
    databasePath: path.resolve(env.DATABASE_PATH?.trim() || path.join('data', 'support.db')),
    knowledgeDir: path.resolve(env.KNOWLEDGE_DIR?.trim() || path.join(root, 'knowledge')),
    ...(escalationWebhookUrl !== undefined && { escalationWebhookUrl }),
    escalationTimeoutMs: intFrom(env, 'ESCALATION_TIMEOUT_MS', 5000, 1, 120_000),
    escalationRetryMs: intFrom(env, 'ESCALATION_RETRY_INTERVAL_MS', 60_000, 0, 86_400_000),
    ...(apiKey && {
      openai: {
        apiKey,
        ...(baseURL !== undefined && { baseURL }),
        model: env.OPENAI_MODEL?.trim() || 'gpt-4o-mini',
        timeoutMs: intFrom(env, 'OPENAI_TIMEOUT_MS', 20_000, 1, 600_000),
        maxRetries: intFrom(env, 'OPENAI_MAX_RETRIES', 2, 0, 10),
      },
    }),
    maxBodyBytes: intFrom(env, 'MAX_BODY_BYTES', 64 * 1024, 1024, 10 * 1024 * 1024),
  };
}
