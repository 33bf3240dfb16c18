/**
 * The doctor's view of api-copies.ts: the app and the layer must share one `@opentelemetry/api`, or start-up
 * refuses to run (a second copy would drop the app's spans silently).
 */
import { API_PACKAGE, findSecondApiCopy, layerApiCopy, resolvePackage, secondApiCopyMessage } from '../../telemetry/api-copies.js';
import { check, type CheckResult } from './types.js';

export function apiCopiesCheck(appDir: string): CheckResult {
  const copies = findSecondApiCopy(appDir);
  if (copies) {
    return check('otel.api-copies', 'fail', `two copies of ${API_PACKAGE}: app ${copies.app.version}, layer ${copies.layer.version}`, {
      fix: secondApiCopyMessage(copies),
      details: { app: copies.app.dir, layer: copies.layer.dir },
    });
  }
  const layer = layerApiCopy();
  const app = resolvePackage(API_PACKAGE, appDir);
  const where = layer ? `${layer.version} at ${layer.dir}` : 'not found';
  return check('otel.api-copies', 'ok', app ? `one copy of ${API_PACKAGE}, shared with the app: ${where}` : `${API_PACKAGE} ${where} (the app imports none)`);
}
