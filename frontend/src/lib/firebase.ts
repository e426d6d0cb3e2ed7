/**
 * Firebase sign-in (MINIREDIS_AUTH=firebase), loaded on demand in its own chunk: the Firebase JS
 * SDK (modular API) signs in with email and password — against the Auth emulator when the API says
 * one is configured — and returns the ID token that `POST /api/auth/firebase` exchanges for
 * MiniRedis tokens. Firebase keeps no session of its own (in-memory persistence): from then on the
 * dashboard runs on MiniRedis tokens with their silent refresh, as with built-in accounts.
 */
import { type FirebaseApp, deleteApp, initializeApp } from 'firebase/app';
import {
  type Auth,
  connectAuthEmulator,
  createUserWithEmailAndPassword,
  inMemoryPersistence,
  initializeAuth,
  signInWithEmailAndPassword,
  signOut,
} from 'firebase/auth';
import type { components } from '../client/schema';
import { firebaseErrorMessage } from './firebaseErrors';

type AuthConfig = components['schemas']['AuthConfig'];

let cached: { key: string; app: FirebaseApp; auth: Auth } | null = null;

async function authFor(config: AuthConfig): Promise<Auth> {
  const key = JSON.stringify([config.firebase_project_id, config.firebase_api_key, config.firebase_emulator_host]);
  if (cached?.key === key) return cached.auth;
  if (cached) await deleteApp(cached.app);
  if (!config.firebase_api_key && !config.firebase_emulator_host) {
    throw new Error('Firebase sign-in is not fully configured: the API has no MINIREDIS_FIREBASE_API_KEY.');
  }
  const app = initializeApp(
    {
      apiKey: config.firebase_api_key ?? 'emulator-api-key',
      authDomain: config.firebase_auth_domain ?? undefined,
      projectId: config.firebase_project_id ?? undefined,
    },
    `miniredis-${Date.now()}`,
  );
  const auth = initializeAuth(app, { persistence: inMemoryPersistence });
  if (config.firebase_emulator_host) connectAuthEmulator(auth, `http://${config.firebase_emulator_host}`, { disableWarnings: true });
  cached = { key, app, auth };
  return auth;
}

/** Sign in (or, with `create`, sign up) through Firebase; the Firebase ID token to exchange. */
export async function firebaseIdToken(config: AuthConfig, email: string, password: string, create = false): Promise<string> {
  const auth = await authFor(config);
  try {
    const credential = create
      ? await createUserWithEmailAndPassword(auth, email, password)
      : await signInWithEmailAndPassword(auth, email, password);
    const token = await credential.user.getIdToken();
    await signOut(auth); // the MiniRedis session takes over from here
    return token;
  } catch (error) {
    throw new Error(firebaseErrorMessage(error));
  }
}
