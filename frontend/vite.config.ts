/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The API serves dist/ and answers client-side routes (/t/..., /monitoring) with index.html
// (miniredis_api.main.DashboardFiles), so a reload of any page works.

// The dev server proxies /api to the API (MINIREDIS_API_URL, default http://127.0.0.1:8080), so the
// browser talks to one origin in development exactly as it does when the API serves the build at `/`.
const api = process.env.MINIREDIS_API_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
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
