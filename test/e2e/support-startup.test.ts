// What a new user of the example service meets first: the port it wants is taken, and the address it listens on.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { loadSupportConfig } from '../../examples/support-service/src/config.js';
import { closeAfterTest, runToExit, useKitCleanup } from '../kit/index.js';
import { SERVICE, SERVICE_TEST_ENV, freshDatabasePath } from './support-helpers.js';

useKitCleanup();

describe('the example service at start-up', () => {
  it('says the port is in use and to set PORT, in one line, and exits 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    closeAfterTest({ close: () => new Promise<void>((resolve) => blocker.close(() => resolve())) });
    const { port } = blocker.address() as AddressInfo;
    const result = await runToExit(SERVICE, {
      env: { ...SERVICE_TEST_ENV, PORT: String(port), DATABASE_PATH: freshDatabasePath(), TELEMETRY_EXPORTERS: 'none' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`support service: port ${port} is in use, set PORT\n`);
    expect(result.stderr).not.toContain('TypeError');
  });

  it('listens on loopback in development and on every interface in production, unless HOST says otherwise', () => {
    expect(loadSupportConfig({ NODE_ENV: 'development' }).host).toBe('127.0.0.1');
    expect(loadSupportConfig({}).host).toBe('127.0.0.1');
    expect(loadSupportConfig({ NODE_ENV: 'production' }).host).toBe('0.0.0.0');
    expect(loadSupportConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });
});
