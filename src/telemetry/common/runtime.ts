/**
 * The configuration the running layer was started with. Modules that act at run time (GenAI helpers, the
 * monitoring API) read it here instead of parsing the environment a second time.
 */
import type { TelemetryConfig } from './types.js';

let active: TelemetryConfig | undefined;

export function setRuntimeConfig(config: TelemetryConfig | undefined): void {
  active = config;
}

/** The configuration of the started layer, or undefined before start() / after shutdown(). */
export function getRuntimeConfig(): TelemetryConfig | undefined {
  return active;
}
