import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// Fresh modules per test: the session reads localStorage when it loads.
async function load() {
  vi.resetModules();
  const session = await import('./session');
  const http = await import('./http');
  return { session, ...http };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const tokens = (access: string, refresh: string) => ({ access_token: access, refresh_token: refresh, token_type: 'bearer', expires_in: 900 });

describe('the API client and the session', () => {
  const calls: { url: string; auth: string | null; body?: string }[] = [];
  beforeEach(() => {
    calls.length = 0;
    vi.useRealTimers();
  });
  afterEach(() => vi.unstubAllGlobals());

  function serve(handler: (url: string, auth: string | null, body: string | undefined) => Response) {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
        const request = input instanceof Request ? input : new Request(new URL(String(input), 'http://localhost'), init);
        const body = request.method === 'GET' ? undefined : await request.clone().text();
        const url = new URL(request.url).pathname;
        calls.push({ url, auth: request.headers.get('Authorization'), body });
        return handler(url, request.headers.get('Authorization'), body);
      }),
    );
  }

  it('refreshes once on 401 and retries with the new token', async () => {
    serve((url, auth) => {
      if (url === '/api/auth/refresh') return json(200, tokens('new', 'r2'));
      return auth === 'Bearer new' ? json(200, { items: [], total: 0 }) : json(401, { detail: 'expired' });
    });
    const { session, api, call } = await load();
    session.setTokens(tokens('old', 'r1'));
    const page = await call(api.GET('/api/tenants'));
    expect(page).toEqual({ items: [], total: 0 });
    expect(calls.map((c) => `${c.url} ${c.auth ?? ''}`)).toEqual(['/api/tenants Bearer old', '/api/auth/refresh ', '/api/tenants Bearer new']);
    expect(JSON.parse(calls[1].body!)).toEqual({ refresh_token: 'r1' });
    expect(session.accessToken()).toBe('new');
    expect(session.refreshToken()).toBe('r2');
  });

  it('shares one refresh between concurrent requests', async () => {
    serve((url, auth) => {
      if (url === '/api/auth/refresh') return json(200, tokens('new', 'r2'));
      return auth === 'Bearer new' ? json(200, { items: [], total: 0 }) : json(401, { detail: 'expired' });
    });
    const { session, api, call } = await load();
    session.setTokens(tokens('old', 'r1'));
    await Promise.all([call(api.GET('/api/tenants')), call(api.GET('/api/monitoring/overview'))]);
    expect(calls.filter((c) => c.url === '/api/auth/refresh')).toHaveLength(1);
  });

  it('ends the session with a message when the refresh token is refused', async () => {
    serve((url) => (url === '/api/auth/refresh' ? json(401, { detail: 'refresh token revoked' }) : json(401, { detail: 'expired' })));
    const { session, api, call, ApiError } = await load();
    session.setTokens(tokens('old', 'r1'));
    await expect(call(api.GET('/api/tenants'))).rejects.toBeInstanceOf(ApiError);
    expect(session.signedIn()).toBe(false);
    expect(session.takeSignOutMessage()).toBe('Your session expired. Please sign in again.');
    expect(session.takeSignOutMessage()).toBeNull();
  });

  it("turns the API's detail (and 422 lists) into words", async () => {
    serve(() => json(409, { detail: 'quota max_nodes reached (10)' }));
    const { api, call, detailOf } = await load();
    await expect(call(api.GET('/api/tenants'))).rejects.toThrow('quota max_nodes reached (10)');
    expect(detailOf({ detail: [{ loc: ['body', 'name'], msg: 'String should have at least 1 character' }] }, 422)).toBe(
      'name: String should have at least 1 character',
    );
    expect(detailOf(null, 500)).toBe('The request failed (HTTP 500).');
  });

  it('refreshes silently before the access token expires', async () => {
    vi.useFakeTimers();
    serve(() => json(200, tokens('fresh', 'r2')));
    const { session } = await load();
    session.setTokens({ ...tokens('short', 'r1'), expires_in: 60 });
    await vi.advanceTimersByTimeAsync(47_000);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(calls.map((c) => c.url)).toEqual(['/api/auth/refresh']);
    expect(session.accessToken()).toBe('fresh');
    vi.useRealTimers();
  });
});
