import { type APIRequestContext, type Page, expect, test } from '@playwright/test';
import { credentials, figure, signInThroughUi } from './helpers';

// Performance with 200 instances (measured and printed, not asserted). One real node gives the
// API's exact shape; its list is multiplied to 200 (200 node processes do not fit in a CI box).
test.describe.configure({ mode: 'serial' });
// a session of its own (the setup's refresh token may have been rotated by another spec)
test.use({ storageState: { cookies: [], origins: [] } });

async function bearer(page: Page): Promise<{ Authorization: string }> {
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('miniredis.session')!).access as string);
  return { Authorization: `Bearer ${token}` };
}

async function realNode(request: APIRequestContext, headers: { Authorization: string }) {
  const tenant = await (await request.post('/api/tenants', { headers, data: { name: `perf-${Date.now() % 100000}` } })).json();
  const created = await request.post(`/api/tenants/${tenant.id}/nodes`, { headers, data: { name: 'template', memory: '16mb', running: true } });
  expect(created.status(), await created.text()).toBe(201);
  const node = await created.json();
  await expect
    .poll(async () => (await (await request.get(`/api/tenants/${tenant.id}/nodes/${node.id}`, { headers })).json()).metrics !== null, { timeout: 20_000 })
    .toBe(true);
  return { tenant, node: await (await request.get(`/api/tenants/${tenant.id}/nodes/${node.id}`, { headers })).json() };
}

test('200 instances: the dashboard renders in under a second and stays responsive', async ({ page }) => {
  await signInThroughUi(page, credentials());
  const headers = await bearer(page);
  const { tenant, node } = await realNode(page.request, headers);
  const items = Array.from({ length: 200 }, (_, i) => ({
    ...node,
    id: `${node.id.slice(0, -4)}${String(i).padStart(4, '0')}`,
    name: `node-${i}`,
    metrics: node.metrics && { ...node.metrics, ops_per_sec: (i * 37) % 500, keys: i * 3, used_memory: node.metrics.used_memory + i * 40_000 },
  }));
  const path = new RegExp(`/api/tenants/${tenant.id}/nodes\\?`);
  let tick = 0;
  // every refresh brings new figures, as a live fleet does
  await page.route(path, (route) =>
    route.fulfill({
      json: { items: items.map((n, i) => (n.metrics ? { ...n, metrics: { ...n.metrics, ops_per_sec: (i * 37 + tick * 11) % 500 } } : n)), total: items.length },
    }),
  );
  page.on('response', (r) => path.test(r.url()) && tick++);
  await page.goto(`/t/${tenant.id}/settings`);
  await expect(page.getByRole('heading', { name: /Tenant settings/ })).toBeVisible();
  const nav = (name: string) => page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name, exact: true });

  const started = Date.now();
  await nav('Instances').click();
  await expect(page.getByRole('link', { name: 'node-0', exact: true })).toBeVisible();
  figure('dashboard with 200 instances: navigation → first rows visible', `${Date.now() - started} ms`);
  await page.getByRole('link', { name: 'node-0', exact: true }).scrollIntoViewIfNeeded();
  await page.mouse.wheel(0, 100_000);
  await expect(page.getByRole('link', { name: 'node-199', exact: true })).toBeInViewport();
  const rendered = Date.now() - started;
  figure('dashboard with 200 instances: navigation → scrolled to the last row, visible', `${rendered} ms`);

  const typed = Date.now();
  await page.getByRole('textbox', { name: 'Filter instances by name' }).fill('node-19');
  await expect(page.getByRole('link', { name: 'node-190', exact: true })).toBeVisible();
  figure('filter 200 instances → result visible', `${Date.now() - typed} ms`);
  await page.getByRole('textbox', { name: 'Filter instances by name' }).fill('');
  const longTasks = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        let worst = 0;
        new PerformanceObserver((list) => list.getEntries().forEach((e) => (worst = Math.max(worst, e.duration)))).observe({ type: 'longtask' });
        setTimeout(() => resolve(worst), 3_500);
      }),
  );
  figure('longest main-thread task over a live refresh of 200 rows', `${Math.round(longTasks)} ms`);

  const monitoring = Date.now();
  await nav('Monitoring').click();
  await expect(page.getByRole('img', { name: 'ops/s trend of node-0' })).toBeVisible();
  figure('monitoring with 200 instances: navigation → first sparklines visible', `${Date.now() - monitoring} ms`);
  await page.mouse.wheel(0, 100_000);
  await expect(page.getByRole('img', { name: 'ops/s trend of node-199' })).toBeInViewport();
  figure('monitoring with 200 instances: navigation → scrolled to the last sparkline, visible', `${Date.now() - monitoring} ms`);
  const monitoringTasks = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        let worst = 0;
        new PerformanceObserver((list) => list.getEntries().forEach((e) => (worst = Math.max(worst, e.duration)))).observe({ type: 'longtask' });
        setTimeout(() => resolve(worst), 3_500);
      }),
  );
  figure('longest main-thread task over a live refresh of monitoring (200 rows)', `${Math.round(monitoringTasks)} ms`);
  await page.unroute(path);
  await page.request.delete(`/api/tenants/${tenant.id}`, { headers });
});
