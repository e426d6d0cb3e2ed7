import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { shot } from './helpers';

// Firebase sign-in in real Chromium against the real Firebase Auth emulator (npm `firebase-tools`,
// needs Java): `firebase emulators:exec --only auth --project demo-miniredis 'node serve-api.mjs'`
// runs a second API in Firebase mode (MINIREDIS_AUTH=firebase) for as long as these tests last.
// The dashboard learns the mode and the emulator from GET /api/auth/config, signs in with the
// Firebase JS SDK, and exchanges the ID token at POST /api/auth/firebase for MiniRedis tokens.
test.describe.configure({ mode: 'serial' });
test.use({ storageState: { cookies: [], origins: [] } });

const here = dirname(fileURLToPath(import.meta.url));
const PROJECT = 'demo-miniredis';
let emulatorHost = '';
let base = '';
let child: ChildProcess | null = null;
let workDir = '';
let output = '';

function which(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

async function waitFor(url: string, deadline: number): Promise<void> {
  for (;;) {
    try {
      await fetch(url);
      return; // any HTTP answer: it is up
    } catch {
      if (child?.exitCode !== null) throw new Error(`firebase emulators:exec ended early:\n${output.slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`${url} did not answer in time:\n${output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** Create an account in the emulator through its REST API (the Identity Toolkit signUp call). */
async function createEmulatorUser(email: string, password: string): Promise<void> {
  const response = await fetch(`http://${emulatorHost}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=fake-api-key`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password, returnSecureToken: true }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

test.beforeAll(async () => {
  test.skip(!which('firebase'), 'the Firebase CLI is not installed (npm install -g firebase-tools)');
  test.skip(!which('java'), 'Java is not installed; the Firebase Auth emulator needs it');
  test.setTimeout(150_000);
  const [emulatorPort, hubPort, loggingPort, apiPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  emulatorHost = `127.0.0.1:${emulatorPort}`;
  base = `http://127.0.0.1:${apiPort}`;
  workDir = mkdtempSync(join(tmpdir(), 'miniredis-firebase-e2e-'));
  writeFileSync(
    join(workDir, 'firebase.json'),
    JSON.stringify({
      emulators: {
        auth: { host: '127.0.0.1', port: emulatorPort },
        hub: { host: '127.0.0.1', port: hubPort },
        logging: { host: '127.0.0.1', port: loggingPort },
        ui: { enabled: false },
      },
    }),
  );
  const env: NodeJS.ProcessEnv = { ...process.env, MINIREDIS_E2E_PORT: String(apiPort), MINIREDIS_E2E_FIREBASE_PROJECT: PROJECT };
  delete env.MINIREDIS_E2E_VAR_DIR;
  delete env.MINIREDIS_E2E_NODE_PORT_START;
  child = spawn('firebase', ['emulators:exec', '--only', 'auth', '--project', PROJECT, `node ${JSON.stringify(resolve(here, 'serve-api.mjs'))}`], {
    cwd: workDir,
    detached: true, // its own process group: the emulator (java), the API and its nodes end together
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 120_000;
  await waitFor(`http://${emulatorHost}/`, deadline);
  await waitFor(`${base}/api/health/ready`, deadline);
});

test.afterAll(async () => {
  if (child?.pid && child.exitCode === null) {
    const exited = new Promise((ok) => child!.once('exit', ok));
    process.kill(-child.pid, 'SIGTERM');
    const timer = setTimeout(() => child?.pid && process.kill(-child.pid, 'SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

test('the API reports Firebase mode and its emulator', async ({ request }) => {
  const config = await (await request.get(`${base}/api/auth/config`)).json();
  expect(config).toMatchObject({ auth: 'firebase', firebase_project_id: PROJECT, firebase_emulator_host: emulatorHost, signup_open: true });
});

test('sign in with Firebase (emulator), exchange the ID token, carry on with MiniRedis tokens', async ({ page }) => {
  const email = `fb-${Date.now()}@example.com`;
  const password = 'firebase password 1';
  await createEmulatorUser(email, password);

  const scripts: string[] = [];
  page.on('request', (r) => r.resourceType() === 'script' && scripts.push(r.url()));
  await page.goto(`${base}/sign-in`);
  await expect(page.getByText('Firebase sign-in (emulator)')).toBeVisible();
  // the Firebase SDK is its own chunk, loaded only when someone signs in
  expect(scripts.filter((u) => /\/assets\/firebase-[^/]*\.js$/.test(u))).toEqual([]);

  await page.getByRole('textbox', { name: 'Email' }).fill(email);
  await page.getByRole('textbox', { name: 'Password' }).fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong email or password.');
  expect(scripts.filter((u) => /\/assets\/firebase-[^/]*\.js$/.test(u))).toHaveLength(1);

  await page.getByRole('textbox', { name: 'Password' }).fill(password);
  const exchanged = page.waitForResponse((r) => r.url().endsWith('/api/auth/firebase') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Sign in' }).click();
  expect((await exchanged).status()).toBe(200);
  await expect(page.getByRole('button', { name: 'Account menu' })).toHaveText(email);
  await expect(page.getByRole('heading', { name: 'Welcome to MiniRedis' })).toBeVisible();
  // From here on the dashboard runs on MiniRedis tokens: create a tenant through the API.
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('miniredis.session') ?? 'null'));
  expect(stored?.access).toBeTruthy();
  expect(stored?.refresh).toBeTruthy();
  await page.getByRole('textbox', { name: 'Tenant name' }).fill(`fb-${Date.now() % 100000}`);
  await page.getByRole('button', { name: 'Create tenant' }).click();
  await expect(page.getByRole('heading', { name: 'Your instances' })).toBeVisible();
  await shot(page, 'firebase-signed-in');
});

test('sign up with Firebase from the dashboard', async ({ page }) => {
  const email = `fb-new-${Date.now()}@example.com`;
  await page.goto(`${base}/sign-up`);
  await expect(page.getByText('Firebase sign-in (emulator)')).toBeVisible();
  await page.getByRole('textbox', { name: 'Email' }).fill(email);
  await page.getByRole('textbox', { name: 'Password' }).fill('another firebase password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('button', { name: 'Account menu' })).toHaveText(email);
  // the account exists in the emulator, made by the Firebase JS SDK
  const lookup = await fetch(`http://${emulatorHost}/identitytoolkit.googleapis.com/v1/projects/${PROJECT}/accounts:query`, {
    method: 'POST',
    headers: { Authorization: 'Bearer owner', 'Content-Type': 'application/json' },
    body: '{}',
  });
  expect(JSON.stringify(await lookup.json())).toContain(email);
});
