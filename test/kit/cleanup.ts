import { afterEach } from 'vitest';
import { killAllApps } from './app-process.js';

interface Closable {
  close(): Promise<void>;
}

const closables = new Set<Closable>();

/** Closes the given server (receiver, fake Sentry) in the next `afterEach` registered by useKitCleanup(). */
export function closeAfterTest<T extends Closable>(server: T): T {
  closables.add(server);
  return server;
}

/** Kills every started app and closes every server registered with closeAfterTest(). */
export async function cleanupKit(): Promise<void> {
  await killAllApps();
  const servers = [...closables];
  closables.clear();
  await Promise.all(servers.map((server) => server.close()));
}

/** Registers `afterEach(cleanupKit)` in the calling test file: call once at the top level of the file. */
export function useKitCleanup(): void {
  afterEach(cleanupKit);
}
