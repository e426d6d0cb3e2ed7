/**
 * The signed-in session: tokens kept in localStorage (so a reload keeps you signed in), a
 * single-flight refresh shared by every request, a timer that refreshes silently shortly before
 * the access token expires, and a "why you were signed out" message for the sign-in page.
 */
export interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

interface Stored {
  access: string;
  refresh: string;
  expiresAt: number; // epoch ms
}

const KEY = 'miniredis.session';
const MESSAGE_KEY = 'miniredis.signout-message';
type Listener = () => void;
const listeners = new Set<Listener>();
let current: Stored | null = load();
let refreshing: Promise<boolean> | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;

function load(): Stored | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Stored) : null;
  } catch {
    return null;
  }
}

function emit() {
  for (const listener of listeners) listener();
}

export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function signedIn(): boolean {
  return current !== null;
}

export function accessToken(): string | null {
  return current?.access ?? null;
}

export function setTokens(tokens: Tokens): void {
  current = { access: tokens.access_token, refresh: tokens.refresh_token, expiresAt: Date.now() + tokens.expires_in * 1000 };
  localStorage.setItem(KEY, JSON.stringify(current));
  sessionStorage.removeItem(MESSAGE_KEY);
  schedule();
  emit();
}

/** Forget the session; `message` is shown on the sign-in page (e.g. "Your session expired"). */
export function clear(message?: string): void {
  current = null;
  localStorage.removeItem(KEY);
  if (message) sessionStorage.setItem(MESSAGE_KEY, message);
  if (timer) clearTimeout(timer);
  emit();
}

export function takeSignOutMessage(): string | null {
  const message = sessionStorage.getItem(MESSAGE_KEY);
  sessionStorage.removeItem(MESSAGE_KEY);
  return message;
}

export function refreshToken(): string | null {
  return current?.refresh ?? null;
}

/** Exchange the refresh token once for everyone waiting; false when the session is over. */
export function refresh(): Promise<boolean> {
  if (refreshing) return refreshing;
  const token = current?.refresh;
  if (!token) return Promise.resolve(false);
  refreshing = (async () => {
    try {
      const response = await fetch('/api/auth/refresh', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refresh_token: token }),
      });
      if (!response.ok) {
        // Another tab may have rotated the token already: adopt what it stored.
        const stored = load();
        if (stored && stored.refresh !== token) {
          current = stored;
          schedule();
          return true;
        }
        clear('Your session expired. Please sign in again.');
        return false;
      }
      setTokens((await response.json()) as Tokens);
      return true;
    } catch {
      return false; // network trouble: keep the session, the next request tries again
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** Refresh silently 30 s (or a fifth of the lifetime) before the access token expires. */
function schedule(): void {
  if (timer) clearTimeout(timer);
  if (!current) return;
  const lifetime = current.expiresAt - Date.now();
  const margin = Math.min(30_000, Math.max(1_000, lifetime / 5));
  timer = setTimeout(() => void refresh(), Math.max(0, lifetime - margin));
}

/** Whether the access token is (nearly) expired, so a request should refresh first. */
export function expiringSoon(): boolean {
  return current !== null && current.expiresAt - Date.now() < 2_000;
}

if (typeof window !== 'undefined') {
  schedule();
  window.addEventListener('storage', (event) => {
    if (event.key === KEY) {
      current = load();
      schedule();
      emit();
    }
  });
}
