import { defineConfig } from '@playwright/test';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

// One API for the whole run, on a port the pytest wrapper picks (or one derived from the pid).
process.env.MINIREDIS_E2E_PORT ??= String(20000 + (process.pid % 5000));
const port = process.env.MINIREDIS_E2E_PORT;
// MINIREDIS_E2E_ARTIFACTS: a folder of its own, for a second run alongside (results, state, screenshots).
export const artifacts = process.env.MINIREDIS_E2E_ARTIFACTS ?? resolve(here, '..', 'test-artifacts', 'frontend');

export default defineConfig({
  testDir: './e2e',
  outputDir: resolve(artifacts, 'results'),
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['html', { outputFolder: resolve(artifacts, 'report'), open: 'never' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1366, height: 860 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'setup', testMatch: /auth\.setup\.ts/ },
    { name: 'e2e', testMatch: /.*\.spec\.ts/, dependencies: ['setup'], use: { storageState: resolve(artifacts, 'state', 'user.json') } },
  ],
  webServer: {
    command: 'node e2e/serve-api.mjs',
    url: `http://127.0.0.1:${port}/api/health/ready`,
    timeout: 60_000,
    reuseExistingServer: !!process.env.MINIREDIS_E2E_REUSE,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
  },
});
