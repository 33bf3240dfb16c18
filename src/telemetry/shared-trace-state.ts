/**
 * The TraceState a sampling decision hands to every span of its local trace. An OTLP export serialises the
 * TraceState of each span, and core's TraceState rebuilds its string on every call (parsing it first, for a
 * new one): with a few dozen spans per trace that was a large share of export time and of the garbage. The
 * wire form is fixed once per trace here, and parsed only when a member is read or changed: a root span's
 * state is usually only ever serialised, and parsing it (a Map, split strings) was most of what a root span
 * allocated beyond the stock SDK's. `set` and `unset` return core TraceStates.
 */
import type { TraceState as ApiTraceState } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';

export class SharedTraceState implements ApiTraceState {
  readonly #wire: string;
  #members: TraceState | undefined;

  /**
   * `wire` must be what core would serialise it to: a state this process built from members valid by
   * construction, or core's own serialisation (see `from`).
   */
  constructor(wire: string) {
    this.#wire = wire;
  }

  get(key: string): string | undefined {
    return this.#parsed().get(key);
  }

  set(key: string, value: string): ApiTraceState {
    return this.#parsed().set(key, value);
  }

  unset(key: string): ApiTraceState {
    return this.#parsed().unset(key);
  }

  serialize(): string {
    return this.#wire;
  }

  #parsed(): TraceState {
    this.#members ??= new TraceState(this.#wire);
    return this.#members;
  }

  /** `state` itself when it is already shared, else a shared copy of its serialisation. */
  static from(state: ApiTraceState): SharedTraceState {
    return state instanceof SharedTraceState ? state : new SharedTraceState(state.serialize());
  }
}
