/**
 * Masking of secrets in messages: start-up lines and configuration errors end up in CI logs and terminals, so a
 * DSN key or an auth header is never printed whole.
 */

const ELLIPSIS = '…';

/** The first few characters (at most a quarter of the secret) followed by an ellipsis. */
export function maskSecret(secret: string, keep: number): string {
  const shown = Math.min(keep, Math.floor(secret.length / 4));
  return secret.slice(0, shown) + ELLIPSIS;
}

const USERINFO_URL = /^([^:/?#\s]+:\/\/)([^@/?#]*)@(.*)$/s;
// A bare run this long in a malformed DSN is most likely the key itself.
const KEY_LIKE = /[A-Za-z0-9]{16,}/g;

/** A DSN with its public key (and deprecated secret key) shortened, e.g. `https://ab12…@o1.ingest.sentry.io/42`. */
export function maskDsn(dsn: string): string {
  const match = USERINFO_URL.exec(dsn);
  if (match) {
    const [, scheme = '', userinfo = '', rest = ''] = match;
    const key = userinfo.split(':')[0] ?? '';
    return `${scheme}${maskSecret(key, 4)}@${rest.replace(KEY_LIKE, (token) => maskSecret(token, 4))}`;
  }
  return dsn.replace(KEY_LIKE, (token) => maskSecret(token, 4));
}

/**
 * A URL with any password in its userinfo and every query value masked: collector URLs sometimes carry basic-auth
 * credentials or an `?api_key=`, and they are printed in start-up lines and export warnings.
 */
export function maskUrl(url: string): string {
  const query = url.indexOf('?');
  const masked = query === -1 ? url : `${url.slice(0, query)}${maskQuery(url.slice(query))}`;
  const match = USERINFO_URL.exec(masked);
  if (!match) return masked;
  const [, scheme = '', userinfo = '', rest = ''] = match;
  const colon = userinfo.indexOf(':');
  if (colon === -1) return masked;
  return `${scheme}${userinfo.slice(0, colon)}:${maskSecret(userinfo.slice(colon + 1), 0)}@${rest}`;
}

/** `?a=1&b=2#f` -> `?a=…&b=…#f`. */
function maskQuery(search: string): string {
  const hash = search.indexOf('#');
  const query = hash === -1 ? search : search.slice(0, hash);
  const fragment = hash === -1 ? '' : search.slice(hash);
  return `${query.replace(/=[^&]*/g, (value) => (value.length > 1 ? `=${ELLIPSIS}` : value))}${fragment}`;
}

/** A `k=v,k2=v2` header list with every value masked, as in `Authorization=Bea…`. */
export function maskHeaderList(raw: string): string {
  return raw
    .split(',')
    .map((entry) => {
      const eq = entry.indexOf('=');
      // Without `=` the entry may be a bare token: mask all of it.
      if (eq === -1) return maskSecret(entry.trim(), 3);
      return `${entry.slice(0, eq)}=${maskSecret(entry.slice(eq + 1).trim(), 3)}`;
    })
    .join(',');
}

const MAX_SHOWN = 120;

/** A value quoted for a message, cut short so that a pasted file does not flood the terminal. */
export function display(value: string): string {
  const cut = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}${ELLIPSIS}` : value;
  return JSON.stringify(cut);
}
