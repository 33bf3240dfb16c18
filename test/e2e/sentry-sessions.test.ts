// Release health over the real wire: request sessions are opt-in (SENTRY_TRACK_SESSIONS), and when on they reach
// the fake Sentry as Sentry's own per-minute aggregates, counting every request and the one that errored.
import { describe, expect, it } from 'vitest';
import {
  closeAfterTest,
  request,
  startApp,
  startFakeSentry,
  useKitCleanup,
  type ReceivedEnvelope,
} from '../kit/index.js';

useKitCleanup();

interface Aggregate {
  started: string;
  exited?: number;
  errored?: number;
  crashed?: number;
}

const sessionItems = (envelopes: readonly ReceivedEnvelope[]) =>
  envelopes.flatMap((envelope) => envelope.items.filter((item) => item.type === 'sessions'));

async function sixRequestsOneError(env: Record<string, string>) {
  const sentry = closeAfterTest(await startFakeSentry());
  const app = await startApp('test/fixtures/express-app.mjs', {
    env: { SENTRY_DSN: sentry.dsn, TELEMETRY_EXPORTERS: 'none', ...env },
  });
  for (let i = 0; i < 5; i++) expect((await request(`${app.url}/api/tickets/${i}`)).status).toBe(200);
  expect((await request(`${app.url}/api/users/carol/fail`)).status).toBe(500);
  await sentry.waitForEvents((event) => event.exception?.values?.[0]?.value === 'failure for carol', 15_000);
  // SIGTERM: the layer flushes Sentry, which sends the pending aggregate instead of waiting for its minute.
  expect((await app.kill()).code).toBe(0);
  return sentry;
}

describe('request sessions', () => {
  it('are off by default: errors arrive, no session aggregate does', async () => {
    const sentry = await sixRequestsOneError({});
    expect(sentry.events).toHaveLength(1);
    expect(sessionItems(sentry.envelopes)).toEqual([]);
  });

  it('SENTRY_TRACK_SESSIONS=true sends the aggregate of every request, the failed one as errored', async () => {
    const sentry = await sixRequestsOneError({ SENTRY_TRACK_SESSIONS: 'true' });
    const [envelope] = await sentry.waitForEnvelopes((e) => sessionItems([e]).length > 0, 15_000);
    const payload = sessionItems(envelope ? [envelope] : [])[0]?.payload as {
      aggregates: Aggregate[];
      attrs?: Record<string, unknown>;
    };
    const total = (key: keyof Omit<Aggregate, 'started'>): number =>
      payload.aggregates.reduce((sum, a) => sum + (a[key] ?? 0), 0);
    expect(total('exited') + total('errored')).toBe(6);
    expect(total('errored')).toBe(1);
    expect(total('crashed')).toBe(0);
    expect(payload.attrs).toMatchObject({ environment: 'production' });
  });
});
