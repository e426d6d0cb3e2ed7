import { expect, test } from '@playwright/test';
import { credentials, shot, signInThroughUi } from './helpers';

// A second user added as a viewer: sees the instances, is offered no destructive action, and the
// CLI refuses write commands with the API's own message.
test.use({ storageState: { cookies: [], origins: [] } });

test('a viewer sees instances, no destructive actions, and a read-only CLI', async ({ page }) => {
  // The owner (the setup's account, signed in on its own: refresh tokens rotate) prepares a tenant with a running instance, through the API.
  const login = await page.request.post('/api/auth/login', { data: credentials() });
  const token = (await login.json()).access_token as string;
  const headers = { Authorization: `Bearer ${token}` };
  const tenant = await (await page.request.post('/api/tenants', { headers, data: { name: `shared-${Date.now() % 100000}` } })).json();
  const created = await page.request.post(`/api/tenants/${tenant.id}/nodes`, { headers, data: { name: 'shared-cache', memory: '16mb', running: true } });
  expect(created.status(), await created.text()).toBe(201);
  const node = await created.json();
  const set = await page.request.post(`/api/tenants/${tenant.id}/nodes/${node.id}/exec`, { headers, data: { command: 'SET greeting "hello viewer"' } });
  expect(set.status()).toBe(200);

  const viewer = { email: `viewer-${Date.now()}@example.com`, password: 'viewer password 1' };
  expect((await page.request.post('/api/auth/signup', { data: viewer })).status()).toBe(201);
  const added = await page.request.post(`/api/tenants/${tenant.id}/members`, { headers, data: { email: viewer.email, role: 'viewer' } });
  expect(added.status(), await added.text()).toBe(201);

  await signInThroughUi(page, viewer);
  await page.goto(`/t/${tenant.id}`);
  await expect(page.getByRole('heading', { name: 'Your instances' })).toBeVisible();
  await expect(page.getByText(/you are viewer/)).toBeVisible();
  const row = page.getByRole('table', { name: 'Your instances' }).getByRole('row').filter({ has: page.getByRole('link', { name: 'shared-cache', exact: true }) });
  await expect(row.getByText('Running')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('button', { name: 'Create instance' })).toHaveCount(0);

  await row.getByRole('button', { name: 'Actions for shared-cache' }).click();
  await expect(page.getByRole('menuitem', { name: /Connect/ })).toBeVisible();
  await expect(page.getByRole('menuitem', { name: 'Open in CLI' })).toBeVisible();
  for (const destructive of ['Stop…', 'Start', 'Resize memory…', 'Eviction policy…', 'Delete…']) {
    await expect(page.getByRole('menuitem', { name: destructive })).toHaveCount(0);
  }
  await shot(page, 'viewer-dashboard');

  // the instance page: no password, no actions beyond the viewer's
  await page.keyboard.press('Escape');
  await page.getByRole('link', { name: 'shared-cache', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'shared-cache' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Reveal password' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Rotate password' })).toHaveCount(0);

  // the CLI: reads work, writes are refused with the API's message
  await page.goto(`/t/${tenant.id}/cli?node=${node.id}`);
  const input = page.getByRole('textbox', { name: 'Command' });
  const output = page.getByRole('log', { name: 'Command output' });
  await expect(input).toBeEnabled();
  await input.fill('GET greeting');
  await input.press('Enter');
  await expect(output.getByText('"hello viewer"', { exact: true })).toBeVisible();
  await input.fill('SET greeting changed');
  await input.press('Enter');
  await expect(output.getByText('(error) a viewer may run only read-only commands; SET is not one')).toBeVisible();
  await input.fill('DEL greeting');
  await input.press('Enter');
  await expect(output.getByText('(error) a viewer may run only read-only commands; DEL is not one')).toBeVisible();
  await input.fill('GET greeting');
  await input.press('Enter');
  await expect(output.getByText('"hello viewer"', { exact: true })).toHaveCount(2);
  await shot(page, 'viewer-cli');

  await page.request.delete(`/api/tenants/${tenant.id}`, { headers });
});
