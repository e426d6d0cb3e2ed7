import { describe, expect, it } from 'vitest';
import { firebaseErrorMessage } from './firebaseErrors';

describe('firebaseErrorMessage', () => {
  it('words known Firebase codes and names unknown ones', () => {
    expect(firebaseErrorMessage({ code: 'auth/invalid-credential' })).toBe('Wrong email or password.');
    expect(firebaseErrorMessage({ code: 'auth/email-already-in-use' })).toMatch(/already exists/);
    expect(firebaseErrorMessage({ code: 'auth/strange' })).toBe('Firebase sign-in failed (auth/strange).');
    expect(firebaseErrorMessage(new Error('boom'))).toBe('boom');
    expect(firebaseErrorMessage(null)).toBe('Firebase sign-in failed.');
  });
});
