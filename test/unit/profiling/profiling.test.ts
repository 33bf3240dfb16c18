// The profiler's parts without a process: chunk assembly and its bounds, the bounded sender, the session's fault
// handling, the per-trace decision and the trace lifecycle, and the doctor's verdicts.
import { ROOT_CONTEXT, TraceFlags, trace, type Span, type SpanContext } from '@opentelemetry/api';
import type { Client, Envelope, ProfileChunk, Transport } from '@sentry/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { profilingCheck } from '../../../src/cli/doctor/profiling-check.js';
import { loadConfig } from '../../../src/telemetry/config/index.js';
import { ChunkBuilder, MAX_CHUNK_SAMPLES } from '../../../src/telemetry/profiling/chunk.js';
import type { NativeProfiler, ProfilerLoad, RawChunkProfile } from '../../../src/telemetry/profiling/loader.js';
import { ChunkSender, MAX_CHUNKS_IN_FLIGHT } from '../../../src/telemetry/profiling/sender.js';
import { ProfilerSession } from '../../../src/telemetry/profiling/session.js';
import { isTraceProfiled, TraceLifecycleProcessor } from '../../../src/telemetry/profiling/trace-lifecycle.js';
import { cleanupApps, DSN, makeApp } from '../config/config-helpers.js';

afterEach(() => {
  cleanupApps();
  vi.restoreAllMocks();
});

const IDENTITY = {
  profilerId: 'p'.repeat(32),
  release: 'r1',
  environment: 'test',
  sdk: { name: 'sentry.javascript.node', version: '11.12.0' },
};

function profile(names: string[][], t0 = 1000): RawChunkProfile {
  const frames = [...new Set(names.flat())].map((name) => ({
    function: name,
    abs_path: '/app.js',
    lineno: 1,
    colno: 1,
  }));
  const index = (name: string) => frames.findIndex((f) => f.function === name);
  const stacks = names.map((stack) => stack.map(index));
  return { frames, stacks, samples: names.map((_, i) => ({ stack_id: i, thread_id: '0', timestamp: t0 + i / 100 })) };
}

function stackNames(chunk: ProfileChunk, sample: number): string[] {
  const { samples, stacks, frames } = chunk.profile;
  return (stacks[samples[sample]!.stack_id] ?? []).map((frame) => frames[frame]?.function ?? '?');
}

describe('ChunkBuilder', () => {
  it('merges profiles, deduplicating frames and stacks, keeping each sample on its own stack', () => {
    const builder = new ChunkBuilder();
    builder.add(profile([['main', 'burn'], ['main']]));
    builder.add(profile([['main'], ['main', 'burn'], ['main', 'other']], 2000));
    const chunk = builder.build(IDENTITY)!;
    expect(chunk.profile.frames.map((f) => f.function)).toEqual(['main', 'burn', 'other']);
    expect(chunk.profile.stacks).toHaveLength(3);
    expect([0, 1, 2, 3, 4].map((i) => stackNames(chunk, i))).toEqual([
      ['main', 'burn'],
      ['main'],
      ['main'],
      ['main', 'burn'],
      ['main', 'other'],
    ]);
    expect(chunk.profile.samples.map((s) => s.timestamp)).toEqual([1000, 1000.01, 2000, 2000.01, 2000.02]);
    expect(chunk).toMatchObject({
      version: '2',
      platform: 'node',
      profiler_id: IDENTITY.profilerId,
      release: 'r1',
      environment: 'test',
    });
    expect(chunk.profile.thread_metadata).toEqual({ '0': { name: 'main' } });
  });

  it('builds nothing from fewer than two samples (Sentry rejects them)', () => {
    const builder = new ChunkBuilder();
    builder.add(profile([['main']]));
    expect(builder.build(IDENTITY)).toBeUndefined();
  });

  it('keeps at most MAX_CHUNK_SAMPLES samples and counts the rest', () => {
    const builder = new ChunkBuilder();
    const big = profile([['main']]);
    big.samples = Array.from({ length: MAX_CHUNK_SAMPLES + 5 }, (_, i) => ({
      stack_id: 0,
      thread_id: '0',
      timestamp: i,
    }));
    builder.add(big);
    builder.add(profile([['main'], ['main']]));
    expect(builder.sampleCount).toBe(MAX_CHUNK_SAMPLES);
    expect(builder.droppedSamples).toBe(7);
  });
});

function fakeClient(send: (envelope: Envelope) => PromiseLike<{ statusCode?: number }>): Client {
  const transport: Transport = { send, flush: async () => true };
  return { getTransport: () => transport, getSdkMetadata: () => ({ sdk: IDENTITY.sdk }) } as unknown as Client;
}

function smallChunk(): ProfileChunk {
  const builder = new ChunkBuilder();
  builder.add(profile([['main'], ['main']]));
  return builder.build(IDENTITY)!;
}

describe('ChunkSender', () => {
  it('sends profile_chunk envelopes through the client transport', async () => {
    const sent: Envelope[] = [];
    const sender = new ChunkSender(() => fakeClient(async (envelope) => (sent.push(envelope), { statusCode: 200 })));
    sender.send(smallChunk());
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toHaveLength(1);
    expect(sent[0]![1][0]![0]).toEqual({ type: 'profile_chunk', platform: 'node' });
    expect(sent[0]![0]).toMatchObject({ sdk: IDENTITY.sdk });
    expect(sender.stats).toEqual({ sent: 1, dropped: 0, failed: 0 });
  });

  it('holds at most MAX_CHUNKS_IN_FLIGHT while Sentry does not answer, and counts the drops once warned', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const sender = new ChunkSender(() => fakeClient(() => new Promise(() => {})));
    for (let i = 0; i < MAX_CHUNKS_IN_FLIGHT + 6; i++) sender.send(smallChunk());
    expect(sender.stats).toEqual({ sent: 0, dropped: 6, failed: 0 });
    const warnings = stderr.mock.calls
      .map(([line]) => String(line))
      .filter((line) => line.includes('profile chunks dropped'));
    expect(warnings).toHaveLength(1);
  });

  it('counts a rejected upload and an error status as failed, and a throwing transport never throws', async () => {
    const statuses = [Promise.reject(new Error('down')), Promise.resolve({ statusCode: 429 })];
    const sender = new ChunkSender(() => fakeClient(() => statuses.shift()!));
    sender.send(smallChunk());
    sender.send(smallChunk());
    const throwing = new ChunkSender(() =>
      fakeClient(() => {
        throw new Error('sync');
      }),
    );
    expect(() => throwing.send(smallChunk())).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(sender.stats).toEqual({ sent: 0, dropped: 0, failed: 2 });
    expect(throwing.stats.failed).toBe(1);
  });
});

class FakeNative implements NativeProfiler {
  running = new Set<string>();
  starts = 0;
  failStart = false;
  startProfiling(name: string): void {
    if (this.failStart) throw new Error('native fault');
    this.starts++;
    this.running.add(name);
  }
  stopProfiling(name: string): RawChunkProfile | null {
    this.running.delete(name);
    return profile([
      ['main', 'burn'],
      ['main', 'burn'],
    ]);
  }
}

function session(native: NativeProfiler) {
  const chunks: ProfileChunk[] = [];
  const sender = { send: (c: ProfileChunk) => chunks.push(c) } as unknown as ChunkSender;
  const s = new ProfilerSession(
    native,
    sender,
    () => ({ release: 'r', environment: 'e', sdk: IDENTITY.sdk }),
    60_000,
    20,
  );
  return { s, chunks };
}

function span(traceId: string, spanId: string, flags = TraceFlags.SAMPLED) {
  const attributes: Record<string, unknown> = {};
  const context: SpanContext = { traceId, spanId, traceFlags: flags };
  const s = {
    spanContext: () => context,
    setAttribute: (k: string, v: unknown) => ((attributes[k] = v), s),
  } as unknown as Span;
  return { span: s, attributes, context };
}

/** Longer than the sessions' 20 ms stop grace. */
const afterGrace = () => new Promise((resolve) => setTimeout(resolve, 60));

describe('trace lifecycle', () => {
  it('decides per trace from the trace id: the same trace everywhere, about the rate over many', () => {
    expect(isTraceProfiled('0'.repeat(24) + '00000000', 0.01)).toBe(true);
    expect(isTraceProfiled('0'.repeat(24) + 'ffffffff', 0.99)).toBe(false);
    expect(isTraceProfiled('0'.repeat(32), 0)).toBe(false);
    expect(isTraceProfiled('f'.repeat(32), 1)).toBe(true);
    let profiled = 0;
    for (let i = 0; i < 10_000; i++)
      if (isTraceProfiled(((i * 2654435761) >>> 0).toString(16).padStart(32, '0'), 0.25)) profiled++;
    expect(profiled).toBeGreaterThan(2200);
    expect(profiled).toBeLessThan(2800);
  });

  it('runs while a profiled root is open, marks its spans, and pauses after the last ends', async () => {
    const native = new FakeNative();
    const { s, chunks } = session(native);
    const lifecycle = new TraceLifecycleProcessor(s, 1);
    const root = span('a'.repeat(32), '1'.repeat(16));
    lifecycle.onStart(root.span, ROOT_CONTEXT);
    const child = span('a'.repeat(32), '2'.repeat(16));
    lifecycle.onStart(child.span, trace.setSpan(ROOT_CONTEXT, root.span));
    const unsampled = span('b'.repeat(32), '3'.repeat(16), TraceFlags.NONE);
    lifecycle.onStart(unsampled.span, ROOT_CONTEXT);
    expect(s.isRunning).toBe(true);
    expect(root.attributes).toEqual({ 'sentry.profiler_id': s.profilerId, 'thread.id': '0', 'thread.name': 'main' });
    expect(child.attributes).toEqual(root.attributes);
    expect(unsampled.attributes).toEqual({});
    lifecycle.onEnd(child.span);
    expect(s.isRunning).toBe(true);
    lifecycle.onEnd(root.span);
    // The stop waits for the grace period: a root starting within it keeps the same native profile.
    const next = span('c'.repeat(32), '4'.repeat(16));
    lifecycle.onStart(next.span, ROOT_CONTEXT);
    await afterGrace();
    expect(native.starts).toBe(1);
    expect(s.isRunning).toBe(true);
    lifecycle.onEnd(next.span);
    expect(s.isRunning).toBe(true);
    await afterGrace();
    expect(s.isRunning).toBe(false);
    expect(native.running.size).toBe(0);
    expect(lifecycle.wasProfiled('a'.repeat(32))).toBe(true);
    expect(lifecycle.wasProfiled('b'.repeat(32))).toBe(false);
    s.cut();
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.profile.samples).toHaveLength(2);
  });

  it('leaves a trace whose id is not profiled alone, a remote parent making a local root', () => {
    const native = new FakeNative();
    const { s } = session(native);
    const lifecycle = new TraceLifecycleProcessor(s, 0.5);
    const remote = trace.wrapSpanContext({
      traceId: '0'.repeat(24) + 'ffffffff',
      spanId: '9'.repeat(16),
      traceFlags: 1,
      isRemote: true,
    });
    const skipped = span('0'.repeat(24) + 'ffffffff', '1'.repeat(16));
    lifecycle.onStart(skipped.span, trace.setSpan(ROOT_CONTEXT, remote));
    expect(skipped.attributes).toEqual({});
    expect(s.isRunning).toBe(false);
    const remoteKept = trace.wrapSpanContext({
      traceId: '0'.repeat(32),
      spanId: '9'.repeat(16),
      traceFlags: 1,
      isRemote: true,
    });
    const kept = span('0'.repeat(32), '2'.repeat(16));
    lifecycle.onStart(kept.span, trace.setSpan(ROOT_CONTEXT, remoteKept));
    expect(kept.attributes['sentry.profiler_id']).toBe(s.profilerId);
  });

  it('a native fault turns profiling off with one warning and never throws into the span calls', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const native = new FakeNative();
    native.failStart = true;
    const { s } = session(native);
    const lifecycle = new TraceLifecycleProcessor(s, 1);
    for (let i = 0; i < 3; i++) {
      const root = span(`${i}`.repeat(32), `${i}`.repeat(16));
      expect(() => lifecycle.onStart(root.span, ROOT_CONTEXT)).not.toThrow();
      expect(() => lifecycle.onEnd(root.span)).not.toThrow();
    }
    expect(s.isRunning).toBe(false);
    const warnings = stderr.mock.calls.map(([line]) => String(line)).filter((line) => line.includes('profiler failed'));
    expect(warnings).toHaveLength(1);
  });
});

describe('doctor profiling check', () => {
  const load = (env: Record<string, string>) => {
    const dir = makeApp();
    return loadConfig({ env, cwd: dir, appPath: dir });
  };

  it('says off at rate 0 without loading the profiler', async () => {
    const loader = vi.fn<() => ProfilerLoad>();
    const result = profilingCheck(await load({ SENTRY_PROFILES_SAMPLE_RATE: '0' }), loader);
    expect(result).toMatchObject({ id: 'profiling', status: 'ok', summary: expect.stringContaining('profiling off') });
    expect(loader).not.toHaveBeenCalled();
  });

  it('gives the mapping in force and whether the binary loads', async () => {
    const config = await load({
      SENTRY_PROFILES_SAMPLE_RATE: '0.5',
      SENTRY_TRACES_SAMPLE_RATE: '0.2',
      SENTRY_DSN: DSN,
    });
    const on = profilingCheck(config);
    expect(on.status).toBe('ok');
    expect(on.summary).toMatch(/profiling on at 0\.5: profileLifecycle 'trace'.*native profiler loads/);
    expect(on.details).toEqual({ 'traces sample rate': '0.2', 'profiled share of all traces': '0.1' });
    const broken = profilingCheck(config, () => ({ ok: false, reason: 'no binary for plan9' }));
    expect(broken).toMatchObject({
      status: 'warn',
      summary: expect.stringContaining('unprofiled: no binary for plan9'),
    });
  });

  it('warns that profiling stays off without a DSN, without loading the profiler', async () => {
    const loader = vi.fn<() => ProfilerLoad>();
    const result = profilingCheck(await load({ SENTRY_PROFILES_SAMPLE_RATE: '1' }), loader);
    expect(result).toMatchObject({
      status: 'warn',
      summary: expect.stringContaining('SENTRY_DSN is not set: profiling stays off'),
    });
    expect(loader).not.toHaveBeenCalled();
  });
});
