/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { copyFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

// The API serves dist/ with Starlette's StaticFiles(html=True), which answers unknown paths with
// 404.html: a copy of index.html lets client-side routes (/t/..., /monitoring) load on reload.
const spaFallback: Plugin = {
  name: 'miniredis-spa-fallback',
  apply: 'build',
  closeBundle() {
    copyFileSync(resolve('dist', 'index.html'), resolve('dist', '404.html'));
  },
};

// The dev server proxies /api to the API (MINIREDIS_API_URL, default http://127.0.0.1:8080), so the
// browser talks to one origin in development exactly as it does when the API serves the build at `/`.
const api = process.env.MINIREDIS_API_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react(), spaFallback],
  server: { host: '0.0.0.0', port: 5173, proxy: { '/api': { target: api, changeOrigin: true } } },
  preview: { port: 4173, proxy: { '/api': { target: api, changeOrigin: true } } },
  build: { sourcemap: false, chunkSizeWarningLimit: 800 },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    pool: 'threads',
    maxWorkers: 2,
  },
});
