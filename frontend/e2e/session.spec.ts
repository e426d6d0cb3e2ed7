import { expect, test } from '@playwright/test';
import { credentials, expiredAccessToken, shot, signInThroughUi } from './helpers';

// These tests sign in on their own (a session of their own, not the setup's).
test.use({ storageState: { cookies: [], origins: [] } });

test('an expired access token is refreshed silently and the page carries on', async ({ page }) => {
  await signInThroughUi(page, credentials());
  const me = await page.evaluate(async () => {
    const session = JSON.parse(localStorage.getItem('miniredis.session')!);
    const response = await fetch('/api/auth/me', { headers: { Authorization: `Bearer ${session.access}` } });
    return (await response.json()) as { id: string };
  });
  const expired = expiredAccessToken(me.id);
  // An access token that really expired, while the browser still believes it is fresh.
  await page.evaluate((token) => {
    const session = JSON.parse(localStorage.getItem('miniredis.session')!);
    localStorage.setItem('miniredis.session', JSON.stringify({ ...session, access: token, expiresAt: Date.now() + 600_000 }));
  }, expired);
  const refreshed = page.waitForResponse((r) => r.url().endsWith('/api/auth/refresh') && r.status() === 200);
  const refused = page.waitForResponse((r) => r.url().includes('/api/') && r.status() === 401);
  await page.reload();
  await refused;
  await refreshed;
  await expect(page.getByRole('heading', { name: 'Your instances' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Account menu' })).toBeVisible();
  const access = await page.evaluate(() => JSON.parse(localStorage.getItem('miniredis.session')!).access);
  expect(access).not.toBe(expired);
});

test('a session that is over sends you to sign-in with a message', async ({ page }) => {
  await signInThroughUi(page, credentials());
  const { refresh, me } = await page.evaluate(async () => {
    const session = JSON.parse(localStorage.getItem('miniredis.session')!);
    const response = await fetch('/api/auth/me', { headers: { Authorization: `Bearer ${session.access}` } });
    return { refresh: session.refresh as string, me: (await response.json()) as { id: string } };
  });
  // Sign out elsewhere (the refresh token is revoked), then the access token expires.
  expect((await page.request.post('/api/auth/logout', { data: { refresh_token: refresh } })).status()).toBe(204);
  const expired = expiredAccessToken(me.id);
  await page.evaluate((token) => {
    const session = JSON.parse(localStorage.getItem('miniredis.session')!);
    localStorage.setItem('miniredis.session', JSON.stringify({ ...session, access: token, expiresAt: Date.now() + 600_000 }));
  }, expired);
  await page.reload();
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByText('Your session expired. Please sign in again.')).toBeVisible();
  await shot(page, 'sign-in-expired');
});

test('sign out', async ({ page }) => {
  await signInThroughUi(page, credentials());
  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByText('You signed out.')).toBeVisible();
});
