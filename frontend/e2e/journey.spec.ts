import { type Browser, type Page, expect, test } from '@playwright/test';
import { resolve } from 'node:path';
import { figure, shot, stateDir } from './helpers';

// One signed-in user walks through the product in order, on one page (one session, so the
// rotating refresh token is never shared between browser contexts).
test.describe.configure({ mode: 'serial' });

let page: Page;
const tenant = `acme-${Date.now() % 100000}`;

async function open(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ storageState: resolve(stateDir, 'user.json') });
  const p = await context.newPage();
  p.on('pageerror', (error) => console.log(`[pageerror] ${error.message}`));
  return p;
}

function nav(name: string) {
  return page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name, exact: true });
}

function row(name: string) {
  return page.getByRole('table', { name: 'Your instances' }).getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
}

async function createInstance(name: string, preset = '16 MB') {
  await page.getByRole('button', { name: 'Create instance' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Create an instance' });
  await expect(dialog.getByText(/Quota left: \d+ of 10 instances/)).toBeVisible();
  await dialog.getByRole('textbox', { name: 'Name' }).fill(name);
  await dialog.getByText(preset, { exact: true }).click();
  await dialog.getByRole('button', { name: 'Create instance' }).click();
  await expect(dialog).toBeHidden();
  await expect(row(name).getByText('Running')).toBeVisible({ timeout: 30_000 });
}

async function monitoringRunning(): Promise<number> {
  if (!page.url().endsWith('/monitoring')) await nav('Monitoring').click();
  const stat = page.getByTestId('stat-Running');
  await expect(stat).toBeVisible();
  return Number(await stat.textContent());
}

test.beforeAll(async ({ browser }) => {
  page = await open(browser);
});

test.afterAll(async () => {
  await page.context().close();
});

test('create a tenant and see the empty state', async () => {
  const started = Date.now();
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Welcome to MiniRedis' })).toBeVisible();
  await shot(page, 'welcome');
  await page.getByRole('textbox', { name: 'Tenant name' }).fill(tenant);
  await page.getByRole('button', { name: 'Create tenant' }).click();
  await expect(page.getByRole('heading', { name: 'Your instances' })).toBeVisible();
  await expect(page.getByText('No instances yet')).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Tenant' })).toHaveValue(`${tenant} (owner)`);
  figure('sign-in to empty dashboard', `${Date.now() - started} ms`);
  await shot(page, 'dashboard-empty');
});

test('create an instance, see it Running, and the monitoring count go up', async () => {
  await expect.poll(monitoringRunning).toBe(0);
  await nav('Instances').click();
  const started = Date.now();
  await createInstance('cache-1');
  figure('create instance → Running in the list', `${Date.now() - started} ms`);
  await expect(row('cache-1').getByText(/\/ 16 MB/)).toBeVisible();
  await expect(row('cache-1').getByRole('button', { name: 'Copy endpoint of cache-1' })).toBeVisible();
  await expect.poll(monitoringRunning).toBe(1);
  await nav('Instances').click();
  await createInstance('cache-2', '40 MB');
  await expect.poll(monitoringRunning).toBe(2);
  await expect(page.getByRole('table', { name: 'Instances' }).getByRole('link', { name: 'cache-2' })).toBeVisible();
  await page.waitForTimeout(3_500); // a few live refreshes so the sparklines have a shape
  await shot(page, 'monitoring');
});

test('run SET and GET in the CLI, with completion, hints, errors and confirmation', async () => {
  await nav('Redis CLI').click();
  await page.getByRole('combobox', { name: 'Instance' }).click();
  await page.getByRole('option', { name: /cache-1/ }).click();
  const input = page.getByRole('textbox', { name: 'Command' });
  const output = page.getByRole('log', { name: 'Command output' });
  await expect(input).toBeEnabled();

  await input.fill('SET greeting "hello world"');
  await input.press('Enter');
  await expect(output.getByText('OK', { exact: true })).toBeVisible();
  await input.fill('GET greeting');
  await input.press('Enter');
  await expect(output.getByText('"hello world"', { exact: true })).toBeVisible();

  // Tab completes the command name; the syntax hint comes from COMMAND DOCS
  await input.fill('RPU');
  await input.press('Tab');
  await expect(input).toHaveValue(/^RPUSH/);
  await input.pressSequentially(' ');
  await expect(page.getByText(/^key element/)).toBeVisible();
  await input.fill('RPUSH list a b "c d"');
  await input.press('Enter');
  await expect(output.getByText('(integer) 3')).toBeVisible();
  await input.fill('LRANGE list 0 -1');
  await input.press('Enter');
  await expect(output.getByText('3) "c d"')).toBeVisible();
  await input.fill('HSET h f1 v1 f2 2');
  await input.press('Enter');
  await input.fill('INCR greeting');
  await input.press('Enter');
  const error = output.getByText('(error) ERR value is not an integer or out of range');
  await expect(error).toBeVisible();
  await expect(error).toHaveCSS('color', 'rgb(255, 107, 107)');

  // history: ↑ brings back the previous line
  await input.press('ArrowUp');
  await expect(input).toHaveValue('INCR greeting');
  await input.press('ArrowUp');
  await expect(input).toHaveValue('HSET h f1 v1 f2 2');
  await input.press('ArrowDown');
  await input.press('ArrowDown');
  await expect(input).toHaveValue('');

  // dangerous commands ask first
  await input.fill('FLUSHALL');
  await input.press('Enter');
  const confirm = page.getByRole('dialog', { name: 'Run a dangerous command?' });
  await expect(confirm.getByText(/deletes every key/)).toBeVisible();
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await input.fill('DBSIZE');
  await input.press('Enter');
  await expect(output.getByText('(integer) 3')).toHaveCount(2);

  // long replies are cut with "show more"
  await input.fill(`RPUSH big ${Array.from({ length: 150 }, (_, i) => `v${i}`).join(' ')}`);
  await input.press('Enter');
  await input.fill('LRANGE big 0 -1');
  await input.press('Enter');
  const more = output.getByRole('button', { name: /Show more/ });
  await expect(more).toBeVisible();
  await expect(output.getByText('150) "v149"')).toHaveCount(0);
  await more.click();
  await expect(output.getByText('150) "v149"')).toBeVisible();
  await input.fill('DEL big');
  await input.press('Enter');
  await input.fill('HGETALL h');
  await input.press('Enter');
  await expect(output.getByText('1# "f1" => "v1"')).toBeVisible();

  // a clean screen for the screenshot: a few typed replies, an error, and a syntax hint
  await input.fill('clear');
  await input.press('Enter');
  for (const line of ['SET greeting "hello world"', 'GET greeting', 'LRANGE list 0 -1', 'HGETALL h', 'INCR greeting']) {
    await input.fill(line);
    await input.press('Enter');
  }
  await expect(output.getByText(/^\(error\) ERR value is not an integer/)).toBeVisible();
  await input.pressSequentially('ZADD scores ');
  await expect(page.getByText(/^member/)).toBeVisible().catch(() => undefined);
  await shot(page, 'cli');
  await input.fill('');
});

test('instance page: settings, connection details with password, live charts, events', async () => {
  await nav('Instances').click();
  await page.getByRole('link', { name: 'cache-1', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'cache-1' })).toBeVisible();
  await expect(page.getByRole('figure', { name: 'Memory' })).toBeVisible();
  await expect(page.getByRole('figure', { name: 'Memory' }).locator('svg.recharts-surface')).toBeVisible();
  await page.getByRole('button', { name: 'Reveal password' }).click();
  const cli = page.getByLabel('redis-cli command', { exact: true });
  await expect(cli).toHaveText(/^redis-cli -h 127\.0\.0\.1 -p \d+ -a \S+$/);
  const before = await cli.textContent();
  await expect(page.getByLabel('redis URL', { exact: true })).toHaveText(/^redis:\/\/default:.+@127\.0\.0\.1:\d+$/);
  await page.getByRole('button', { name: 'Rotate password' }).click();
  await page.getByRole('button', { name: 'Confirm rotation' }).click();
  await expect(cli).not.toHaveText(before ?? '');
  await expect(page.getByText(/CLI ran HGETALL on 1 key — ok/).first()).toBeVisible();
  await page.getByText('1 hour', { exact: true }).click();
  await expect(page.getByRole('radio', { name: '1 hour' })).toBeChecked();
  await shot(page, 'instance');
});

test('stop (with the data-loss warning) and start again', async () => {
  await nav('Instances').click();
  await row('cache-2').getByRole('button', { name: 'Actions for cache-2' }).click();
  await page.getByRole('menuitem', { name: 'Stop…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Stop cache-2?' });
  await expect(dialog.getByText('Its data will be lost')).toBeVisible();
  await dialog.getByRole('button', { name: 'Stop instance' }).click();
  await expect(row('cache-2').getByText('Stopped')).toBeVisible({ timeout: 30_000 });
  await row('cache-2').getByRole('button', { name: 'Actions for cache-2' }).click();
  await page.getByRole('menuitem', { name: 'Start' }).click();
  await expect(row('cache-2').getByText('Running')).toBeVisible({ timeout: 30_000 });
});

test('a persistent instance: chosen at creation, shown, and kept when stopped', async () => {
  await nav('Instances').click();
  await page.getByRole('button', { name: 'Create instance' }).first().click();
  const create = page.getByRole('dialog', { name: 'Create an instance' });
  await create.getByRole('textbox', { name: 'Name' }).fill('queue-1');
  await create.getByText('16 MB', { exact: true }).click();
  await create.getByRole('combobox', { name: 'Persistence' }).click();
  await page.getByRole('option', { name: 'Append-only (AOF)' }).click();
  await expect(create.getByText(/keeps every acknowledged write/)).toBeVisible();
  await create.getByRole('button', { name: 'Create instance' }).click();
  await expect(create).toBeHidden();
  await expect(row('queue-1').getByText('Running')).toBeVisible({ timeout: 30_000 });
  await expect(row('queue-1').getByText('aof', { exact: true })).toBeVisible();
  await row('queue-1').getByRole('button', { name: 'Actions for queue-1' }).click();
  await page.getByRole('menuitem', { name: 'Stop…' }).click();
  const stop = page.getByRole('dialog', { name: 'Stop queue-1?' });
  await expect(stop.getByText(/keeps its data on disk \(Append-only \(AOF\)\)/)).toBeVisible();
  await expect(stop.getByText('Its data will be lost')).toHaveCount(0);
  await stop.getByRole('button', { name: 'Stop instance' }).click();
  await expect(row('queue-1').getByText('Stopped')).toBeVisible({ timeout: 30_000 });
  await row('queue-1').getByRole('button', { name: 'Actions for queue-1' }).click();
  await page.getByRole('menuitem', { name: 'Delete…' }).click();
  const remove = page.getByRole('dialog', { name: 'Delete queue-1?' });
  await remove.getByRole('textbox', { name: /Type the instance name/ }).fill('queue-1');
  await remove.getByRole('button', { name: 'Delete instance' }).click();
  await expect(page.getByRole('link', { name: 'queue-1', exact: true })).toHaveCount(0);
});

test('resize and change the eviction policy', async () => {
  await row('cache-1').getByRole('button', { name: 'Actions for cache-1' }).click();
  await page.getByRole('menuitem', { name: 'Resize memory…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Resize cache-1' });
  await dialog.getByText('Custom', { exact: true }).click();
  await dialog.getByRole('textbox', { name: 'Custom size' }).fill('300mb');
  await expect(dialog.getByText('At most 256 MB here')).toBeVisible();
  await dialog.getByRole('textbox', { name: 'Custom size' }).fill('48mb');
  await dialog.getByRole('button', { name: 'Resize' }).click();
  await expect(dialog).toBeHidden();
  await expect(row('cache-1').getByText(/\/ 48 MB/)).toBeVisible();

  await row('cache-1').getByRole('button', { name: 'Actions for cache-1' }).click();
  await page.getByRole('menuitem', { name: 'Eviction policy…' }).click();
  const policy = page.getByRole('dialog', { name: 'Eviction policy of cache-1' });
  await policy.getByRole('combobox', { name: 'Eviction policy' }).click();
  await page.getByRole('option', { name: /^allkeys-lru/ }).click();
  await policy.getByRole('button', { name: 'Apply' }).click();
  await expect(policy).toBeHidden();
  await page.getByRole('link', { name: 'cache-1', exact: true }).click();
  await expect(page.getByRole('table', { name: 'Settings' }).getByText('allkeys-lru')).toBeVisible();
  await page.getByRole('link', { name: '← Instances' }).click();
});

test('create an API key (shown once) and revoke it', async () => {
  await nav('Tenant settings').click();
  await expect(page.getByRole('heading', { name: /Tenant settings/ })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Members' }).getByText(/owner-\d+@example.com/)).toBeVisible();
  await page.getByRole('textbox', { name: 'Key name' }).fill('deploy-bot');
  await page.getByRole('button', { name: 'Create API key' }).click();
  const shown = page.getByRole('dialog', { name: 'Your new API key' });
  const secret = (await shown.getByLabel('API key secret').textContent()) ?? '';
  expect(secret.length).toBeGreaterThan(20);
  // the key works against the API, then is never shown again
  const ok = await page.request.get('/api/tenants', { headers: { Authorization: `Bearer ${secret}` } });
  expect(ok.status()).toBe(200);
  await shown.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByText(secret)).toHaveCount(0);
  const keys = page.getByRole('table', { name: 'API keys' });
  await expect(keys.getByText('deploy-bot')).toBeVisible();
  await shot(page, 'settings');
  await keys.getByRole('button', { name: 'Revoke deploy-bot' }).click();
  await page.getByRole('dialog', { name: 'Revoke deploy-bot?' }).getByRole('button', { name: 'Revoke key' }).click();
  await expect(keys.getByText('revoked')).toBeVisible();
  const refused = await page.request.get('/api/tenants', { headers: { Authorization: `Bearer ${secret}` } });
  expect(refused.status()).toBe(401);
});

test('delete an instance with typed-name confirmation', async () => {
  await nav('Instances').click();
  await row('cache-2').getByRole('button', { name: 'Actions for cache-2' }).click();
  await page.getByRole('menuitem', { name: 'Delete…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete cache-2?' });
  const confirm = dialog.getByRole('button', { name: 'Delete instance' });
  await expect(confirm).toBeDisabled();
  await dialog.getByRole('textbox', { name: /Type the instance name/ }).fill('cache-');
  await expect(confirm).toBeDisabled();
  await dialog.getByRole('textbox', { name: /Type the instance name/ }).fill('cache-2');
  await confirm.click();
  await expect(page.getByRole('link', { name: 'cache-2', exact: true })).toHaveCount(0);
  await expect(row('cache-1')).toBeVisible();
  await shot(page, 'dashboard');
});
