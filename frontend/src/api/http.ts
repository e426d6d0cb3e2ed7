/**
 * The one HTTP client of the dashboard: openapi-fetch over the generated `paths` types
 * (src/client/schema.d.ts), with the session's bearer token, a silent refresh-and-retry on 401,
 * and errors turned into `ApiError` carrying the API's `detail`.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from '../client/schema';
import * as session from './session';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The API's `{"detail": ...}` in words (422 validation lists included). */
export function detailOf(body: unknown, status: number): string {
  const detail = (body as { detail?: unknown } | null)?.detail;
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((item: { loc?: unknown[]; msg?: string }) => {
        const where = (item.loc ?? []).filter((p) => p !== 'body').join('.');
        return where ? `${where}: ${item.msg}` : (item.msg ?? '');
      })
      .join('; ');
  }
  if (status === 0) return 'The API could not be reached.';
  return `The request failed (HTTP ${status}).`;
}

const retried = new WeakSet<Request>();
const clones = new WeakMap<Request, Request>();

const auth: Middleware = {
  async onRequest({ request }) {
    if (request.url.includes('/api/auth/') && !request.url.endsWith('/api/auth/me')) return request;
    if (session.expiringSoon()) await session.refresh();
    const token = session.accessToken();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    clones.set(request, request.clone());
    return request;
  },
  async onResponse({ request, response }) {
    if (response.status !== 401 || retried.has(request) || !session.signedIn()) return response;
    const original = clones.get(request);
    if (!original || !(await session.refresh())) {
      if (session.signedIn()) session.clear('Your session expired. Please sign in again.');
      return response;
    }
    const retry = new Request(original, { headers: new Headers(original.headers) });
    retry.headers.set('Authorization', `Bearer ${session.accessToken()}`);
    retried.add(retry);
    return fetch(retry);
  },
};

// Same origin: the API serves the dashboard, and the Vite dev server proxies /api.
export const api = createClient<paths>({ baseUrl: globalThis.location?.origin ?? '' });
api.use(auth);

/** Unwrap an openapi-fetch result: the data, or an ApiError with the API's words. */
export async function call<T>(promise: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await promise;
  } catch {
    throw new ApiError(0, 'The API could not be reached. Check your connection and try again.');
  }
  if (!result.response.ok) throw new ApiError(result.response.status, detailOf(result.error, result.response.status));
  return result.data as T;
}
