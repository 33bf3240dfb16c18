/**
 * SENTRY_DSN parsing on top of `@sentry/core`'s own parser, with the checks that `makeDsn` only performs in
 * debug builds made unconditional.
 */
import { makeDsn } from '../common/sentry-core.js';
import type { ParsedDsn } from '../common/types.js';

// Sentry's DSN_REGEX (utils/dsn.js). Checked first because `dsnFromString` prints the whole DSN, key included,
// to the console when it does not match.
const DSN_SHAPE = /^(?:(\w+):)\/\/(?:(\w+)(?::(\w+)?)?@)((?:\[[:.%\w]+\]|[\w.-]+))(?::(\d+))?\/(.+)/;
const ORG_ID_HOST = /^o(\d+)\./;

export const DSN_ACCEPTED = 'a Sentry DSN such as https://<public key>@o<org id>.ingest.sentry.io/<project id>';

export type DsnResult = { ok: true; dsn: ParsedDsn } | { ok: false; reason: string };

export function parseDsn(raw: string): DsnResult {
  if (!DSN_SHAPE.test(raw)) return { ok: false, reason: 'not a DSN (protocol://key@host/project)' };
  const components = makeDsn(raw);
  if (!components) return { ok: false, reason: 'not a DSN (protocol://key@host/project)' };
  const { publicKey, host, projectId } = components;
  // Typed as http|https, but only validated at run time in Sentry's debug builds.
  const protocol: string = components.protocol;
  if (protocol !== 'http' && protocol !== 'https') {
    return { ok: false, reason: `protocol "${protocol}" is not http or https` };
  }
  if (!publicKey) return { ok: false, reason: 'the public key is missing' };
  if (!/^\d+$/.test(projectId)) return { ok: false, reason: 'the project id (last path segment) is not a number' };
  const orgId = ORG_ID_HOST.exec(host)?.[1];
  const dsn: ParsedDsn = {
    raw,
    protocol,
    host,
    port: components.port ?? '',
    path: components.path ?? '',
    projectId,
    publicKey,
  };
  if (orgId !== undefined) dsn.orgId = orgId;
  return { ok: true, dsn };
}
