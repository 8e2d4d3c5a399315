import { defineConfig } from 'vitest/config';

// The server enforces a strict CSP (script-src 'self'; style-src 'self'), so the build must
// not emit any inline script or style: no modulepreload polyfill, CSS always in files.
export default defineConfig({
  base: '/',
  build: {
    target: 'es2020',
    modulePreload: { polyfill: false },
    cssCodeSplit: false,
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: true,
  },
  server: {
    // `npm run dev` talks to a local `ctis serve` for the API.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});
