/**
 * The dashboard's only way to data: the REST API on this origin. The session cookie travels by itself
 * (same origin); every state-changing call also carries the CSRF token the login answer gave us.
 */

let csrfToken = sessionStorage.getItem('vigil.csrf') ?? '';
let onUnauthorized = () => {};

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? body?.error ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error;
  }
}

export function setCsrfToken(token) {
  csrfToken = token ?? '';
  if (csrfToken) sessionStorage.setItem('vigil.csrf', csrfToken);
  else sessionStorage.removeItem('vigil.csrf');
}

/** Called on any 401 (the session ended): the app shows the login page. */
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

/** Query string from an object, leaving out empty values. */
export function query(params) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v === undefined || v === null || v === '') continue;
    qs.set(k, String(v));
  }
  const s = qs.toString();
  return s ? `?${s}` : '';
}

export async function request(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let data;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (response.status === 401 && !path.startsWith('/api/auth/login')) onUnauthorized();
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export const get = (path, params) => request('GET', path + query(params));
export const post = (path, body) => request('POST', path, body ?? {});
export const put = (path, body) => request('PUT', path, body ?? {});
export const del = (path) => request('DELETE', path);

/** apiPath('findings', id, 'notes') is `/api/findings/<id>/notes`, every segment encoded. */
export const apiPath = (...segments) =>
  '/api/' + segments.map((s) => encodeURIComponent(String(s))).join('/');
