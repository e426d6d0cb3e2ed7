/** Firebase Auth error codes in words (kept apart from the SDK so it is testable and tiny). */
const MESSAGES: Record<string, string> = {
  'auth/invalid-credential': 'Wrong email or password.',
  'auth/invalid-login-credentials': 'Wrong email or password.',
  'auth/wrong-password': 'Wrong email or password.',
  'auth/user-not-found': 'Wrong email or password.',
  'auth/invalid-email': 'That email address is not valid.',
  'auth/user-disabled': 'This account is disabled.',
  'auth/email-already-in-use': 'An account with this email already exists.',
  'auth/weak-password': 'Choose a stronger password (at least 8 characters).',
  'auth/too-many-requests': 'Too many attempts. Wait a minute and try again.',
  'auth/network-request-failed': 'Firebase could not be reached. Check your connection and try again.',
  'auth/operation-not-allowed': 'Email and password sign-in is not enabled in this Firebase project.',
};

export function firebaseErrorMessage(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return MESSAGES[code] ?? `Firebase sign-in failed (${code}).`;
  return error instanceof Error ? error.message : 'Firebase sign-in failed.';
}
