import { expect, test as setup } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { shot, stateDir } from './helpers';

// Signs up through the UI once; the other tests start from the saved session (STYLE.md: Playwright
// logs in once in a setup project).
setup('sign up and sign in', async ({ page }) => {
  const creds = { email: `owner-${Date.now()}@example.com`, password: 'correct horse battery' };
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await shot(page, 'sign-in');
  await page.getByRole('link', { name: 'Create one' }).click();
  await page.getByRole('textbox', { name: 'Email' }).fill(creds.email);
  await page.getByRole('textbox', { name: 'Password' }).fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  // the browser refuses a password under 8 characters before the API is asked
  await expect(page).toHaveURL(/\/sign-up$/);
  await page.getByRole('textbox', { name: 'Password' }).fill(creds.password);
  await shot(page, 'sign-up');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome to MiniRedis' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Account menu' })).toHaveText(creds.email);
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(resolve(stateDir, 'credentials.json'), JSON.stringify(creds));
  await page.context().storageState({ path: resolve(stateDir, 'user.json') });
});
