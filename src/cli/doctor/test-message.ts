/**
 * Sends one real message through a Sentry client built from the configuration, and reports Sentry's answer.
 * `Sentry.flush()` alone cannot tell a delivered event from one the transport dropped (it resolves true
 * either way), so the transport is wrapped to keep the status of each upload.
 */
import * as Sentry from '../../telemetry/common/sentry-node.js';
import type { TelemetryConfig } from '../../telemetry/common/types.js';
import { describeFailure } from './http-probe.js';
import { check, type CheckResult } from './types.js';

type Upload = { status: number; retryAfter?: string } | { error: unknown };

export async function testMessageCheck(config: TelemetryConfig, timeoutMs: number): Promise<CheckResult> {
  const dsn = config.sentry.dsn;
  if (!dsn) {
    return check('send.sentry.message', 'warn', 'no test message sent: SENTRY_DSN is not set', {
      fix: 'Set SENTRY_DSN to send errors to Sentry.',
    });
  }
  const uploads: Upload[] = [];
  const client = Sentry.init({
    dsn: dsn.raw,
    environment: config.environment,
    release: config.release,
    // A one-shot client: no integrations, no handlers, nothing that would outlive the command.
    defaultIntegrations: false,
    integrations: [],
    transport: (options) => {
      const transport = Sentry.makeNodeTransport(options);
      return {
        ...transport,
        send: async (envelope) => {
          try {
            const response = await transport.send(envelope);
            const retryAfter = response.headers?.['retry-after'] ?? undefined;
            uploads.push(
              retryAfter ? { status: response.statusCode ?? 0, retryAfter } : { status: response.statusCode ?? 0 },
            );
            return response;
          } catch (error) {
            uploads.push({ error });
            throw error;
          }
        },
      };
    },
  });
  const eventId = Sentry.captureMessage('otel-sentry-bridge doctor: test message', {
    level: 'info',
    tags: { source: 'otel-sentry-bridge-doctor', service: config.serviceName },
  });
  const flushed = await Sentry.flush(timeoutMs).catch(() => false);
  await Promise.resolve(client?.close(1)).catch(() => false);

  const where = `Sentry > Issues of project ${dsn.projectId}, search "${eventId}" (environment ${config.environment})`;
  const upload = uploads[0];
  if (upload === undefined) {
    return check(
      'send.sentry.message',
      'fail',
      `test message ${eventId} not delivered: ${flushed ? 'the client sent nothing' : `no answer within ${timeoutMs} ms`}`,
      {
        fix: 'See the reachability checks above: Sentry hangs or a proxy holds the connection.',
      },
    );
  }
  if ('error' in upload) {
    const code = (upload.error as { code?: unknown }).code;
    const message = upload.error instanceof Error ? upload.error.message : String(upload.error);
    const reason = describeFailure(
      typeof code === 'string' ? { kind: 'error', message, code } : { kind: 'error', message },
      timeoutMs,
    );
    return check('send.sentry.message', 'fail', `test message ${eventId} not delivered: ${reason}`, {
      fix: 'Sentry cannot be reached from here: see the reachability checks.',
    });
  }
  if (upload.status >= 200 && upload.status < 300) {
    return check('send.sentry.message', 'ok', `test message sent, event id ${eventId} (HTTP ${upload.status})`, {
      details: { event_id: eventId, where },
    });
  }
  const after = 'retryAfter' in upload && upload.retryAfter ? `, Retry-After ${upload.retryAfter} s` : '';
  return check(
    'send.sentry.message',
    'fail',
    `test message ${eventId} refused by Sentry: HTTP ${upload.status}${after}`,
    {
      fix:
        upload.status === 429
          ? 'The project is rate limited or over quota: raise the quota or lower the event volume.'
          : upload.status === 401 || upload.status === 403
            ? 'The DSN key or project is wrong or disabled: copy the DSN again from the project settings.'
            : 'Sentry failed to accept the event: check status.sentry.io or your self-hosted Sentry logs.',
    },
  );
}
