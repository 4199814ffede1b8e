import type { FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'vigil_session';

/** Every value the Cookie header gives `name` (a sibling subdomain can plant a second one). */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) values.push(part.slice(eq + 1).trim());
  }
  return values;
}

/** The session cookie: HttpOnly (no script reads it), SameSite=Strict (no cross-site sends), Path=/. */
export function sessionCookie(value: string, secure: boolean, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', secure, 0);
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether to mark the session cookie Secure. `'auto'` marks it Secure except for a plain-http request
 * made directly to this machine by loopback name (http://localhost:PORT, http://127.0.0.1:PORT), the one
 * case where a TLS-only cookie would break the login and nothing crosses a network. Chromium and Firefox
 * accept Secure cookies from http://localhost, but not every browser does (Safari drops them), so the
 * flag is left off there. A request carrying proxy headers is treated as proxied (TLS may end at the
 * proxy) and gets Secure; behind a proxy that rewrites Host to 127.0.0.1 without such headers, set
 * `secureCookies: true`. On plain http to any other host the browser drops the Secure cookie: serve over
 * TLS, or set `secureCookies: false` knowingly.
 */
export function wantsSecure(request: FastifyRequest, setting: boolean | 'auto'): boolean {
  if (setting !== 'auto') return setting;
  const h = request.headers;
  const proxied =
    h['x-forwarded-proto'] !== undefined || h['x-forwarded-for'] !== undefined || h.forwarded !== undefined;
  return request.protocol !== 'http' || proxied || !LOOPBACK_HOSTS.has(request.hostname.toLowerCase());
}
