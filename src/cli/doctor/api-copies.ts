/**
 * The doctor's view of api-copies.ts and otel-line.ts: the app and the layer must share one copy of the API and
 * of each SDK peer, on an OpenTelemetry line this Node runs, or start-up refuses to run.
 */
import {
  API_PACKAGE,
  SHARED_SDK_PACKAGES,
  findSecondCopy,
  layerCopy,
  missingPeers,
  missingPeersMessage,
  resolvePackage,
  secondCopyMessage,
  type SecondCopy,
} from '../../telemetry/otel/api-copies.js';
import { installedLine, otelLineProblem } from '../../telemetry/otel/otel-line.js';
import { check, type CheckResult } from './types.js';

function copyFailure(id: string, copies: SecondCopy): CheckResult {
  return check(id, 'fail', `two copies of ${copies.name}: app ${copies.app.version}, layer ${copies.layer.version}`, {
    fix: secondCopyMessage(copies),
    details: { package: copies.name, app: copies.app.dir, layer: copies.layer.dir },
  });
}

export function apiCopiesCheck(appDir: string): CheckResult {
  const copies = findSecondCopy(API_PACKAGE, appDir);
  if (copies) return copyFailure('otel.api-copies', copies);
  const layer = layerCopy(API_PACKAGE);
  const app = resolvePackage(API_PACKAGE, appDir);
  const where = layer ? `${layer.version} at ${layer.dir}` : 'not found';
  return check(
    'otel.api-copies',
    'ok',
    app
      ? `one copy of ${API_PACKAGE}, shared with the app: ${where}`
      : `${API_PACKAGE} ${where} (the app imports none)`,
  );
}

/** The first SDK peer the app reaches another copy of (the message names the fix for that one). */
export function sdkCopiesCheck(appDir: string): CheckResult {
  const missing = missingPeers();
  if (missing.length > 0)
    return check('otel.sdk-copies', 'fail', `peer dependencies not installed: ${missing.join(', ')}`, {
      fix: missingPeersMessage(missing),
    });
  const copies = SHARED_SDK_PACKAGES.map((name) => findSecondCopy(name, appDir)).find((found) => found !== undefined);
  if (copies) return copyFailure('otel.sdk-copies', copies);
  return check('otel.sdk-copies', 'ok', `one copy each of ${SHARED_SDK_PACKAGES.join(', ')} reachable from the app`);
}

export function otelLineCheck(node: string = process.versions.node): CheckResult {
  const line = installedLine();
  const problem = otelLineProblem(line, node);
  if (problem) return check('otel.line', 'fail', problem.slice(0, problem.indexOf('. Fix:') + 1), { fix: problem });
  const major = line.sdk?.split('.')[0];
  return check(
    'otel.line',
    'ok',
    line.sdk
      ? `OpenTelemetry JS ${major}.x line (sdk-trace ${line.sdk}, api ${line.api}) on Node ${node}`
      : 'OpenTelemetry SDK not found',
  );
}

export function otelChecks(appDir: string): CheckResult[] {
  return [apiCopiesCheck(appDir), sdkCopiesCheck(appDir), otelLineCheck()];
}
