#!/usr/bin/env node
// Starts the real MiniRedis API for the browser tests (the `make up` equivalent: `miniredis up`)
// with a throw-away SQLite database in a temp folder, a 1-minute access token, the built
// dashboard served at `/`, and nodes as real processes on a private port range. On SIGTERM/SIGINT
// (Playwright stopping its webServer) it ends the API, then every node process it started.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const dist = resolve(here, '..', 'dist');
const port = process.env.MINIREDIS_E2E_PORT;
if (!port) throw new Error('MINIREDIS_E2E_PORT is not set');
if (!existsSync(join(dist, 'index.html'))) throw new Error('frontend/dist is missing: run `npm run build` first');

const varDir = process.env.MINIREDIS_E2E_VAR_DIR ?? mkdtempSync(join(tmpdir(), 'miniredis-e2e-'));
const portStart = Number(process.env.MINIREDIS_E2E_NODE_PORT_START ?? 27000 + (Number(port) % 100) * 20);
const env = {
  ...process.env,
  MINIREDIS_ENVIRONMENT: 'development',
  MINIREDIS_SECRET_KEY: process.env.MINIREDIS_E2E_SECRET ?? 'e2e-secret-key-that-is-long-enough-0123456789',
  MINIREDIS_VAR_DIR: varDir,
  MINIREDIS_DATABASE_URL: '',
  MINIREDIS_ACCESS_TOKEN_MINUTES: '1',
  MINIREDIS_DASHBOARD_DIR: dist,
  MINIREDIS_SAMPLE_INTERVAL_SECONDS: '1',
  MINIREDIS_LOGIN_ATTEMPTS_PER_MINUTE: '1000',
  MINIREDIS_MAX_NODES_PER_TENANT: '10',
  REDIS_PORT_START: String(portStart),
  REDIS_PORT_END: String(portStart + 19),
  GATEWAY_HOST: '127.0.0.1',
  GATEWAY_PORT: port,
  PYTHONUNBUFFERED: '1',
};
// Firebase mode (e2e/firebase.spec.ts runs this under `firebase emulators:exec`, which sets
// FIREBASE_AUTH_EMULATOR_HOST for firebase-admin and the API's /api/auth/config).
if (process.env.MINIREDIS_E2E_FIREBASE_PROJECT) {
  env.MINIREDIS_AUTH = 'firebase';
  env.MINIREDIS_FIREBASE_PROJECT_ID = process.env.MINIREDIS_E2E_FIREBASE_PROJECT;
}
const bin = join(repo, '.venv', 'bin', 'miniredis');
const api = spawn(bin, ['up', '--host', '127.0.0.1', '--port', port, '--log-level', 'warning'], { env, stdio: 'inherit', cwd: varDir });

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  if (api.exitCode === null) api.kill('SIGTERM');
  const done = () => {
    spawnSync(bin, ['stop-nodes'], { env, stdio: 'ignore', cwd: varDir, timeout: 30_000 });
    if (!process.env.MINIREDIS_E2E_VAR_DIR) rmSync(varDir, { recursive: true, force: true });
    process.exit(code);
  };
  if (api.exitCode !== null) return done();
  const timer = setTimeout(() => api.kill('SIGKILL'), 8_000);
  api.once('exit', () => (clearTimeout(timer), done()));
}
process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
process.on('SIGHUP', () => stop(0));
api.on('exit', (code) => {
  if (!stopping) {
    console.error(`the API exited early (code ${code})`);
    stop(1);
  }
});
