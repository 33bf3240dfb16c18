// Process faults under the bootstrap end as they end under plain Node: the same survival, exit code and warning
// for every combination of the app's listeners and --unhandled-rejections mode, with the event captured.
import { describe, expect, it } from 'vitest';
import { closeAfterTest, request, startApp, startFakeSentry, useKitCleanup, type FakeSentry } from '../kit/index.js';

useKitCleanup();

const FIXTURE = 'test/fixtures/process-faults-app.mjs';
const MESSAGE = 'process-faults: handler rejected';
const LISTENERS = ['none', 'uncaught', 'rejection', 'both'] as const;
const MODES = ['default', 'throw', 'strict', 'warn', 'warn-with-error-code', 'none'] as const;

interface Outcome {
  survived: boolean;
  code: number | null;
  warned: boolean;
  appSaw: string[];
}

async function outcome(listeners: string, mode: string, sentry?: FakeSentry): Promise<Outcome> {
  const app = await startApp(FIXTURE, {
    importRegister: sentry !== undefined,
    nodeArgs: mode === 'default' ? [] : [`--unhandled-rejections=${mode}`],
    env: {
      APP_LISTENERS: listeners,
      ...(sentry
        ? { SENTRY_DSN: sentry.dsn, TELEMETRY_EXPORTERS: 'sentry', TELEMETRY_SHUTDOWN_TIMEOUT_MS: '2000' }
        : {}),
    },
  });
  expect((await request(`${app.url}/reject`)).status).toBe(202);
  // A fresh connection after the rejection was processed: refused once the process has started to end.
  const survived = await request(`${app.url}/ok`).then(
    (response) => response.status === 200,
    () => false,
  );
  if (survived) await request(`${app.url}/stop`);
  const exit = await app.exited;
  return {
    survived,
    code: exit.code,
    warned: app.stderr().includes('UnhandledPromiseRejectionWarning'),
    appSaw: app
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('APP ')),
  };
}

describe('a handler rejects: the outcome of plain Node', () => {
  for (const mode of MODES) {
    for (const listeners of LISTENERS) {
      it(`--unhandled-rejections=${mode}, app listens for: ${listeners}`, async () => {
        const plain = await outcome(listeners, mode);
        const sentry = closeAfterTest(await startFakeSentry());
        const layered = await outcome(listeners, mode, sentry);
        expect(layered).toEqual(plain);
        const events = await sentry.waitForEvents((e) => e.exception?.values?.[0]?.value === MESSAGE);
        expect(events).toHaveLength(1);
        expect(events[0]?.exception?.values?.[0]?.mechanism?.handled).toBe(false);
      });
    }
  }
});

describe('uncaught exceptions in an app that listens for them', () => {
  it('keeps serving, as under plain Node, and each exception is captured', async () => {
    const runs: Array<{ survived: boolean; appSaw: string[] }> = [];
    const sentry = closeAfterTest(await startFakeSentry());
    for (const layered of [false, true]) {
      const app = await startApp(FIXTURE, {
        importRegister: layered,
        env: {
          APP_LISTENERS: 'uncaught',
          ...(layered ? { SENTRY_DSN: sentry.dsn, TELEMETRY_EXPORTERS: 'sentry' } : {}),
        },
      });
      // The timers' exceptions fire before the process can end: /stop waits for none of them.
      for (let i = 0; i < 3; i++) expect((await request(`${app.url}/throw`)).status).toBe(202);
      const survived = (await request(`${app.url}/ok`)).status === 200;
      await request(`${app.url}/stop`);
      await app.exited;
      runs.push({
        survived,
        appSaw: app
          .stdout()
          .split('\n')
          .filter((line) => line.startsWith('APP ')),
      });
    }
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[0]?.appSaw).toHaveLength(3);
    const values = (
      await sentry.waitForEvents(
        (e) => e.exception?.values?.[0]?.value?.startsWith('process-faults: uncaught exception') === true,
        10_000,
        3,
      )
    )
      .map((e) => e.exception?.values?.[0]?.value)
      .sort();
    expect(values).toEqual([1, 2, 3].map((n) => `process-faults: uncaught exception ${n}`));
  });
});
