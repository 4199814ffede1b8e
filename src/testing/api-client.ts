/**
 * A logged-in client of a running `vigil serve`, as a script or the browser would be: it logs in with
 * POST /api/auth/login, keeps the session cookie and sends the CSRF token on state-changing requests.
 */
export interface ApiClient {
  get(path: string): Promise<Response>;
  post(path: string, body?: unknown): Promise<Response>;
  csrfToken: string;
  cookie: string;
}

export const TEST_ADMIN_PASSWORD = 'correct-horse-battery-staple';

export async function login(url: string, user = 'admin', password = TEST_ADMIN_PASSWORD): Promise<ApiClient> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user, password }),
  });
  if (res.status !== 200) throw new Error(`login as ${user} failed: ${res.status} ${await res.text()}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const cookie = (res.headers.get('set-cookie') ?? '').split(';', 1)[0]!;
  return {
    csrfToken,
    cookie,
    get: (path) => fetch(`${url}${path}`, { headers: { cookie } }),
    post: (path, body) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: {
          cookie,
          'x-csrf-token': csrfToken,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
  };
}
