// SENTRY_PROFILES_SAMPLE_RATE over the real wire: profile chunks at the fake Sentry whose frames hold the route's
// own function, linked by profiler id to the spans both exporters receive and to the error event; at rate 0 and
// when the native binary cannot load, no profiling and no native module.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProfileChunk } from '@sentry/core';
import { describe, expect, it } from 'vitest';
import {
  closeAfterTest,
  otlpEnv,
  request,
  sentryEnv,
  startApp,
  startFakeSentry,
  startOtlpReceiver,
  useKitCleanup,
  type ReceivedSpan,
} from '../kit/index.js';

useKitCleanup();

const FIXTURE = 'test/fixtures/profiling-app.mjs';

async function backends() {
  const sentry = closeAfterTest(await startFakeSentry());
  const otlp = closeAfterTest(await startOtlpReceiver());
  return {
    sentry,
    otlp,
    env: { ...sentryEnv(sentry), ...otlpEnv(otlp), SENTRY_TRACES_SAMPLE_RATE: '1', TELEMETRY_LOG_LEVEL: 'warn' },
  };
}

function frameNames(chunk: ProfileChunk): string[] {
  return chunk.profile.frames.map((frame) => frame.function ?? '');
}

const isBurnServer = (span: ReceivedSpan) =>
  span.kindName === 'server' && String(span.attributes['url.path']) === '/api/burn';

async function nativeLoaded(url: string): Promise<string[]> {
  return ((await request(`${url}/api/native`)).json as { loaded: string[] }).loaded;
}

describe('profiling', () => {
  it('sends profile chunks with the route function, linked by profiler id to the spans at both exporters', async () => {
    const { sentry, otlp, env } = await backends();
    const app = await startApp(FIXTURE, {
      env: { ...env, SENTRY_PROFILES_SAMPLE_RATE: '1', OTEL_SENTRY_BRIDGE_PROFILE_CHUNK_INTERVAL_MS: '300' },
    });
    for (let i = 0; i < 3; i++) expect((await request(`${app.url}/api/burn?ms=150`)).status).toBe(200);
    expect((await request(`${app.url}/api/fail`)).status).toBe(500);

    const [chunk] = await sentry.waitForProfileChunks((c) => frameNames(c).includes('burnCpuForProfile'));
    expect(chunk).toMatchObject({
      version: '2',
      platform: 'node',
      environment: expect.any(String),
      release: expect.any(String),
      client_sdk: { name: 'sentry.javascript.node', version: expect.any(String) },
      profile: { thread_metadata: { '0': { name: 'main' } } },
    });
    expect(chunk!.chunk_id).toMatch(/^[0-9a-f]{32}$/);
    expect(chunk!.profiler_id).toMatch(/^[0-9a-f]{32}$/);
    expect(chunk!.profile.samples.length).toBeGreaterThan(1);
    const burn = chunk!.profile.frames.findIndex((frame) => frame.function === 'burnCpuForProfile');
    expect(chunk!.profile.frames[burn]).toMatchObject({ abs_path: expect.stringContaining('profiling-app.mjs') });
    // Some sample's stack goes through the route's function.
    expect(chunk!.profile.samples.some((s) => chunk!.profile.stacks[s.stack_id]?.includes(burn))).toBe(true);
    // Every chunk of the process shares its profiler id.
    expect(new Set(sentry.profileChunks.map((c) => c.profiler_id))).toEqual(new Set([chunk!.profiler_id]));

    const link = { 'sentry.profiler_id': chunk!.profiler_id, 'thread.id': '0', 'thread.name': 'main' };
    const atSentry = await sentry.waitForSpans(isBurnServer, undefined, 3);
    const atCollector = await otlp.waitForSpans(isBurnServer, undefined, 3);
    for (const span of [...atSentry, ...atCollector]) expect(span.attributes).toMatchObject(link);
    // Child spans of a profiled trace carry it too (express middleware spans).
    const children = otlp.spans.filter((s) => s.traceId === atCollector[0]!.traceId && s.parentSpanId);
    expect(children.length).toBeGreaterThan(0);
    for (const span of children) expect(span.attributes).toMatchObject(link);

    const [event] = await sentry.waitForEvents((e) => e.exception?.values?.[0]?.value === 'profiled failure');
    expect(event!.contexts?.profile).toEqual({ profiler_id: chunk!.profiler_id });
    expect(event!.contexts?.trace?.data).toMatchObject({ 'thread.id': '0', 'thread.name': 'main' });
    expect(await nativeLoaded(app.url)).not.toEqual([]);
  });

  it('sends the last chunk at shutdown, within the budget, with the 60 s interval in force', async () => {
    const { sentry, env } = await backends();
    const app = await startApp(FIXTURE, { env: { ...env, SENTRY_PROFILES_SAMPLE_RATE: '1' } });
    expect((await request(`${app.url}/api/burn?ms=200`)).status).toBe(200);
    expect(sentry.profileChunks).toEqual([]);
    expect(await app.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(sentry.profileChunks.some((c) => frameNames(c).includes('burnCpuForProfile'))).toBe(true);
  });

  it('keeps at most 4 chunks waiting on a Sentry that does not answer, counts the drops, and keeps serving', async () => {
    const { sentry, env } = await backends();
    await sentry.setFault({ mode: 'hang', endpoint: 'envelope' });
    const app = await startApp(FIXTURE, {
      env: { ...env, SENTRY_PROFILES_SAMPLE_RATE: '1', OTEL_SENTRY_BRIDGE_PROFILE_CHUNK_INTERVAL_MS: '200' },
    });
    // Each request keeps a profiled trace open long enough for the 200 ms chunk cut to find samples.
    const warning = app.waitForLine(
      /profile chunks dropped: 4 still waiting on Sentry \(0 sent, \d+ dropped, 0 failed\)/,
      15_000,
    );
    // Set from the warning's promise, while the loop below awaits requests.
    const seen = { warning: false };
    warning.then(
      () => (seen.warning = true),
      () => (seen.warning = true),
    );
    let served = 0;
    const load = (async () => {
      for (let i = 0; i < 40 && !seen.warning; i++) {
        if ((await request(`${app.url}/api/burn?ms=120`)).status === 200) served++;
      }
    })();
    await warning;
    await load;
    expect(served).toBeGreaterThan(0);
    expect(sentry.rejected.hang).toBeGreaterThanOrEqual(4);
    expect((await request(`${app.url}/api/burn?ms=10`)).status).toBe(200);
  });

  it('profiles nothing and loads no native module at rate 0', async () => {
    const { sentry, otlp, env } = await backends();
    const app = await startApp(FIXTURE, {
      env: { ...env, SENTRY_PROFILES_SAMPLE_RATE: '0', OTEL_SENTRY_BRIDGE_PROFILE_CHUNK_INTERVAL_MS: '300' },
    });
    for (let i = 0; i < 2; i++) expect((await request(`${app.url}/api/burn?ms=100`)).status).toBe(200);
    expect(await nativeLoaded(app.url)).toEqual([]);
    const spans = await otlp.waitForSpans(isBurnServer, undefined, 2);
    for (const span of spans) expect(span.attributes['sentry.profiler_id']).toBeUndefined();
    expect(await app.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(sentry.profileChunks).toEqual([]);
    expect(sentry.envelopes.flatMap((e) => e.items).filter((item) => item.type === 'profile_chunk')).toEqual([]);
  });

  it('stays off with one warning, loading nothing native, when SENTRY_DSN is not set', async () => {
    const otlp = closeAfterTest(await startOtlpReceiver());
    const app = await startApp(FIXTURE, {
      env: { ...otlpEnv(otlp), SENTRY_TRACES_SAMPLE_RATE: '1', SENTRY_PROFILES_SAMPLE_RATE: '1' },
    });
    expect((await request(`${app.url}/api/burn?ms=50`)).status).toBe(200);
    expect(await nativeLoaded(app.url)).toEqual([]);
    const [span] = await otlp.waitForSpans(isBurnServer);
    expect(span!.attributes['sentry.profiler_id']).toBeUndefined();
    const warnings = app
      .stderr()
      .split('\n')
      .filter((line) => line.includes('profiling is off'));
    expect(warnings).toEqual([
      'otel-sentry-bridge: warning: profiling is off: SENTRY_PROFILES_SAMPLE_RATE is set but SENTRY_DSN is not',
    ]);
  });

  it('warns once and runs unprofiled when the native binary cannot load', async () => {
    const { sentry, otlp, env } = await backends();
    const broken = join(tmpdir(), `broken-profiler-${process.pid}.node`);
    writeFileSync(broken, 'not a native module');
    const app = await startApp(FIXTURE, {
      env: { ...env, SENTRY_PROFILES_SAMPLE_RATE: '1', SENTRY_PROFILER_BINARY_PATH: broken },
    });
    expect((await request(`${app.url}/api/burn?ms=100`)).status).toBe(200);
    const [span] = await otlp.waitForSpans(isBurnServer);
    expect(span!.attributes['sentry.profiler_id']).toBeUndefined();
    expect(await app.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    const warnings = app
      .stderr()
      .split('\n')
      .filter((line) => line.includes('profiling is off'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/@sentry\/node-cpu-profiler could not be loaded on linux-.*ABI \d+/);
    expect(sentry.profileChunks).toEqual([]);
  });
});
