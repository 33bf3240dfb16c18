/**
 * The TraceState a sampling decision hands to every span of its local trace. An OTLP export serialises the
 * TraceState of each span, and core's TraceState rebuilds its string on every call (parsing it first, for a
 * new one): with a few dozen spans per trace that was a large share of export time and of the garbage. The
 * wire form is computed once per trace here. `set` and `unset` still return core TraceStates.
 */
import type { TraceState as ApiTraceState } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';

export class SharedTraceState extends TraceState {
  #wire: string | undefined;

  /**
   * `wire`, when given, must be what core would serialise `raw` to: a state this process built from members
   * valid by construction. Without it the first `serialize()` computes it.
   */
  constructor(raw: string, wire?: string) {
    super(raw);
    this.#wire = wire;
  }

  override serialize(): string {
    this.#wire ??= super.serialize();
    return this.#wire;
  }

  /** `state` itself when it is already shared, else a shared copy (one parse, then one serialisation). */
  static from(state: ApiTraceState): SharedTraceState {
    if (state instanceof SharedTraceState) return state;
    const wire = state.serialize();
    return new SharedTraceState(wire, wire);
  }
}
