import { defineConfig } from 'vite';

// The demo page: plain TypeScript + @simplewebauthn/browser, built into dist/client and served
// by the RP server (one origin, so the CSP can be 'self' only).
export default defineConfig({
  root: 'client',
  build: {
    outDir: '../dist/client',
    emptyOutDir: true,
    // no inline module-preload polyfill: the CSP forbids inline script
    modulePreload: { polyfill: false },
    target: 'es2022',
    rollupOptions: { input: { main: 'client/index.html', run: 'client/run.html', account: 'client/account.html' } },
  },
  server: {
    proxy: { '/api': 'http://localhost:8080' },
  },
});
