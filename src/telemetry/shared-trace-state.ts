/**
 * The TraceState a sampling decision hands to every span of its local trace. An OTLP export serialises the
 * TraceState of each span, and core's TraceState rebuilds its string on every call (parsing it first, for a
 * new one): with a few dozen spans per trace that was a large share of export time and of the garbage. The
 * wire form is fixed once per trace here. `set` and `unset` still return core TraceStates.
 */
import type { TraceState as ApiTraceState } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';

export class SharedTraceState extends TraceState {
  readonly #wire: string;

  /**
   * `wire` must be what core would serialise it to: a state this process built from members valid by
   * construction, or core's own serialisation (see `from`).
   */
  constructor(wire: string) {
    super(wire);
    this.#wire = wire;
  }

  override serialize(): string {
    return this.#wire;
  }

  /** `state` itself when it is already shared, else a shared copy of its serialisation. */
  static from(state: ApiTraceState): SharedTraceState {
    return state instanceof SharedTraceState ? state : new SharedTraceState(state.serialize());
  }
}
