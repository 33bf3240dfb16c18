// Server spans of the example service as a new user reads them: a 4xx answer is the client's mistake, not an
// ERROR span (semantic conventions: only 5xx marks a server span as an error), and a request the API key check
// refuses is named by its route, not by the router it was mounted on.
import { describe, expect, it } from 'vitest';
import { request, useKitCleanup } from '../kit/index.js';
import { KEY_001, ingest, startSupport } from './support-helpers.js';

useKitCleanup();

const ERROR = 2;

describe('server spans of the example service', () => {
  it('leave 4xx answers unset, name refused requests by their route, and keep ERROR for 5xx', async () => {
    const { app, otlp } = await startSupport('otlp', { SUPPORT_DEBUG_ROUTES: '1' });
    expect((await ingest(app, 'wrong-key', { channel: 'web', text: 'hello', external_user_id: 'u1' })).status).toBe(
      401,
    );
    expect((await ingest(app, KEY_001, '{not json')).status).toBe(400);
    expect((await request(`${app.url}/api/tickets/nope`, { headers: { 'x-api-key': KEY_001 } })).status).toBe(404);
    expect((await request(`${app.url}/api/debug/error`, { headers: { 'x-api-key': KEY_001 } })).status).toBe(500);

    const servers = await otlp.waitForSpans((s) => s.kindName === 'server', 15_000, 4);
    const byStatus = (code: number) => servers.find((s) => s.attributes['http.response.status_code'] === code);
    expect(byStatus(401)).toMatchObject({ name: 'POST /api/ingest-message' });
    for (const code of [401, 400, 404])
      expect(byStatus(code)?.status.code, `status of the ${code} span`).not.toBe(ERROR);
    expect(byStatus(500)?.status.code).toBe(ERROR);
  });
});
