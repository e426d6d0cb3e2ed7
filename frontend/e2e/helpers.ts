import { type Page, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export const artifacts = process.env.MINIREDIS_E2E_ARTIFACTS ?? resolve(here, '..', '..', 'test-artifacts', 'frontend');
export const stateDir = resolve(artifacts, 'state');
const docs = resolve(here, '..', '..', 'docs', 'screenshots');
/** Screenshots that the README shows; refreshed with MINIREDIS_DOC_SCREENSHOTS=1. */
const DOC_SHOTS = new Set(['dashboard', 'monitoring', 'cli']);

/** Close notification toasts (they would cover the page in a screenshot) and wait until they are gone. */
export async function clearToasts(page: Page): Promise<void> {
  const toasts = page.locator('.mantine-Notification-root');
  for (let attempt = 0; attempt < 20 && (await toasts.count()) > 0; attempt++) {
    const close = toasts.locator('.mantine-Notification-closeButton');
    for (let i = (await close.count()) - 1; i >= 0; i--) await close.nth(i).click({ timeout: 1_000 }).catch(() => undefined);
    await page.waitForTimeout(250);
  }
  await expect(toasts).toHaveCount(0, { timeout: 5_000 });
}

/** Keep a screenshot of a page as a test artifact (and, on request, for the README), without toasts. */
export async function shot(page: Page, name: string): Promise<void> {
  await clearToasts(page);
  mkdirSync(resolve(artifacts, 'screenshots'), { recursive: true });
  const path = resolve(artifacts, 'screenshots', `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  if (process.env.MINIREDIS_DOC_SCREENSHOTS === '1' && DOC_SHOTS.has(name)) {
    mkdirSync(docs, { recursive: true });
    copyFileSync(path, resolve(docs, `${name}.png`));
  }
}

export interface Credentials {
  email: string;
  password: string;
}

export function credentials(): Credentials {
  return JSON.parse(readFileSync(resolve(stateDir, 'credentials.json'), 'utf8')) as Credentials;
}

/** Print a figure for the run's log (performance is measured and printed, not asserted). */
export function figure(label: string, value: string): void {
  console.log(`[figure] ${label}: ${value}`);
}

/** A real access token of `userId` that expired a minute ago, signed with the test API's secret. */
export function expiredAccessToken(userId: string): string {
  const python = resolve(here, '..', '..', '.venv', 'bin', 'python');
  const secret = process.env.MINIREDIS_E2E_SECRET ?? 'e2e-secret-key-that-is-long-enough-0123456789';
  const code =
    'import sys, datetime as dt\n' +
    'from miniredis_api.core.security import create_access_token\n' +
    'print(create_access_token(subject=sys.argv[1], secret_key=sys.argv[2], expires_in=dt.timedelta(seconds=-60)))';
  return execFileSync(python, ['-c', code, userId, secret], { encoding: 'utf8' }).trim();
}

export async function signInThroughUi(page: Page, creds: Credentials): Promise<void> {
  await page.goto('/sign-in');
  await page.getByRole('textbox', { name: 'Email' }).fill(creds.email);
  await page.getByRole('textbox', { name: 'Password' }).fill(creds.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Account menu' })).toBeVisible();
}
