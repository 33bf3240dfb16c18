/**
 * One profile chunk in Sentry's continuous format (version 2). The profiler stops whenever no profiled trace is
 * active, so a chunk is assembled from the several native profiles taken during its interval: frames and stacks
 * are deduplicated across them, and the samples keep their own timestamps.
 */
import {
  createEnvelope,
  uuid4,
  type ProfileChunk,
  type ProfileChunkEnvelope,
  type SdkInfo,
} from '../common/sentry-core.js';
import { PROFILED_THREAD_ID, PROFILED_THREAD_NAME } from './attributes.js';
import type { RawChunkFrame, RawChunkProfile, RawChunkSample } from './loader.js';

/** The most samples one chunk keeps (about 200 s of the profiler's ~100 Hz): a bound on memory per chunk. */
export const MAX_CHUNK_SAMPLES = 20_000;

export interface ChunkIdentity {
  profilerId: string;
  release: string;
  environment: string;
  sdk: { name: string; version: string };
}

export class ChunkBuilder {
  private frames: RawChunkFrame[] = [];
  private stacks: number[][] = [];
  private samples: RawChunkSample[] = [];
  private readonly frameIndex = new Map<string, number>();
  private readonly stackIndex = new Map<string, number>();
  /** Samples left out because the chunk was full. */
  droppedSamples = 0;

  get sampleCount(): number {
    return this.samples.length;
  }

  add(profile: RawChunkProfile): void {
    const room = MAX_CHUNK_SAMPLES - this.samples.length;
    if (profile.samples.length > room) this.droppedSamples += profile.samples.length - Math.max(0, room);
    if (room <= 0) return;
    const frameMap = profile.frames.map((frame) => this.frameId(frame));
    const stackMap = new Map<number, number>();
    for (const sample of profile.samples.slice(0, room)) {
      let stackId = stackMap.get(sample.stack_id);
      if (stackId === undefined) {
        stackId = this.stackId((profile.stacks[sample.stack_id] ?? []).map((frame) => frameMap[frame] ?? 0));
        stackMap.set(sample.stack_id, stackId);
      }
      this.samples.push({ stack_id: stackId, thread_id: sample.thread_id, timestamp: sample.timestamp });
    }
  }

  private frameId(frame: RawChunkFrame): number {
    const key = `${frame.function ?? ''}\0${frame.abs_path ?? ''}\0${frame.lineno ?? ''}\0${frame.colno ?? ''}`;
    let id = this.frameIndex.get(key);
    if (id === undefined) {
      id = this.frames.push(frame) - 1;
      this.frameIndex.set(key, id);
    }
    return id;
  }

  private stackId(frames: number[]): number {
    const key = frames.join(',');
    let id = this.stackIndex.get(key);
    if (id === undefined) {
      id = this.stacks.push(frames) - 1;
      this.stackIndex.set(key, id);
    }
    return id;
  }

  /** The chunk's payload, or undefined when it has too few samples for Sentry to accept (it needs two). */
  build(identity: ChunkIdentity): ProfileChunk | undefined {
    if (this.samples.length < 2) return undefined;
    // The native profiler's samples are in order within a profile, and profiles are added in order.
    return {
      chunk_id: uuid4(),
      profiler_id: identity.profilerId,
      client_sdk: identity.sdk,
      platform: 'node',
      version: '2',
      release: identity.release,
      environment: identity.environment,
      debug_meta: { images: [] },
      profile: {
        samples: this.samples,
        stacks: this.stacks,
        frames: this.frames,
        thread_metadata: { [PROFILED_THREAD_ID]: { name: PROFILED_THREAD_NAME } },
      },
    };
  }
}

/** The envelope Sentry's own profiling-node sends for a chunk: one `profile_chunk` item. */
export function profileChunkEnvelope(chunk: ProfileChunk, sdk: SdkInfo | undefined): ProfileChunkEnvelope {
  const headers = { event_id: uuid4(), sent_at: new Date().toISOString(), ...(sdk ? { sdk } : {}) };
  return createEnvelope<ProfileChunkEnvelope>(headers, [[{ type: 'profile_chunk', platform: 'node' }, chunk]]);
}
