/**
 * Which OpenTelemetry JS line is installed, and whether it can run here. The package's peer ranges admit both the
 * 2.x line (core/sdk-trace 2.12, instrumentation 0.223, api 1.9; Node 20.19+) and the 3.x line (3.1, 0.301, api
 * 1.10; Node 22.15+); npm picks the line whose `engines` match the Node that runs `npm install`. An install made on
 * Node 22.15+ and run on Node 20, or a line mixed by `--legacy-peer-deps` (core 2.x under api 1.10), is outside
 * what the SDK supports: start-up and `doctor` name the versions and the fix instead of failing later with a stack.
 */
import { API_PACKAGE, layerCopy } from './api-copies.js';

export const SDK_PACKAGE = '@opentelemetry/sdk-trace';
/** The 3.x line's `engines.node`. */
export const LINE_3X_MIN_NODE: readonly [number, number, number] = [22, 15, 0];

export interface InstalledLine {
  /** `@opentelemetry/sdk-trace`'s version, or undefined when it cannot be resolved. */
  sdk: string | undefined;
  api: string | undefined;
}

export function installedLine(): InstalledLine {
  return { sdk: layerCopy(SDK_PACKAGE)?.version, api: layerCopy(API_PACKAGE)?.version };
}

function parts(version: string): number[] {
  return version.split('.').map((part) => Number.parseInt(part, 10) || 0);
}

function atLeast(version: string, floor: readonly number[]): boolean {
  const have = parts(version);
  for (let i = 0; i < floor.length; i++) {
    const a = have[i] ?? 0;
    const b = floor[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

const REINSTALL = 'rm -rf node_modules package-lock.json && npm install';

/** Why this line cannot run on this Node (or is mixed), with the fix; undefined when all is well or unknown. */
export function otelLineProblem(
  line: InstalledLine = installedLine(),
  node: string = process.versions.node,
): string | undefined {
  if (!line.sdk || !line.api) return undefined;
  const sdkMajor = parts(line.sdk)[0] ?? 0;
  const apiIs110 = atLeast(line.api, [1, 10, 0]);
  const versions = `${SDK_PACKAGE} ${line.sdk}, ${API_PACKAGE} ${line.api}`;
  if (sdkMajor >= 3 && !atLeast(node, LINE_3X_MIN_NODE)) {
    return (
      `the OpenTelemetry JS 3.x line is installed (${versions}), which needs Node >= ${LINE_3X_MIN_NODE.join('.')}; ` +
      `this is Node ${node}. Fix: run on Node ${LINE_3X_MIN_NODE.join('.')} or later, or reinstall on this Node ` +
      `with ${API_PACKAGE}@1.9 (${REINSTALL}), which picks the 2.x line.`
    );
  }
  if (sdkMajor === 2 && apiIs110) {
    return (
      `mixed OpenTelemetry JS lines (${versions}): the 2.x SDK supports ${API_PACKAGE} < 1.10. Fix: ` +
      `${API_PACKAGE}@1.9 with the 2.x line (Node 20.19+), or @1.10 with the 3.x line (Node 22.15+); ` +
      `${REINSTALL} without --legacy-peer-deps.`
    );
  }
  if (sdkMajor >= 3 && !apiIs110) {
    return (
      `mixed OpenTelemetry JS lines (${versions}): the 3.x SDK needs ${API_PACKAGE} 1.10. Fix: ` +
      `npm install ${API_PACKAGE}@1.10 (or ${REINSTALL} with ${API_PACKAGE}@1.9 on Node 20 for the 2.x line).`
    );
  }
  return undefined;
}
