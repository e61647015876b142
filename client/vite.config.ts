// Vite build of the browser client: one HTML entry per page (dashboard at /, then /phone/,
// /typing/, /lab/, /recordings/), shared code split into common chunks. Output: client/dist,
// served by server/plugins/client-static.ts.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';
import { mnistSamplesPlugin } from './scripts/mnist-samples-plugin.js';

const clientRoot = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const page = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Where `vite` (dev mode, `npm run dev`) forwards the server's routes: a running server. */
const devBackend = process.env.SENSORIUM_DEV_BACKEND ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: clientRoot,
  base: '/',
  publicDir: 'public', // favicon
  plugins: [mnistSamplesPlugin()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // Chart.js alone is ~200 kB minified; quieter than the default 500 kB warning is not needed.
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      input: {
        dashboard: page('./index.html'),
        phone: page('./phone/index.html'),
        typing: page('./typing/index.html'),
        lab: page('./lab/index.html'),
        recordings: page('./recordings/index.html'),
        models: page('./models/index.html'),
      },
      output: {
        // Libraries in their own long-cached chunks, named after what they are.
        manualChunks(id) {
          if (id.includes('/node_modules/chart.js/') || id.includes('/node_modules/@kurkle/')) return 'chartjs';
          if (id.includes('/node_modules/msgpackr/')) return 'msgpackr';
          return undefined;
        },
      },
    },
  },
  server: {
    // The client imports ../protocol; let the dev server read it.
    fs: { allow: [repoRoot] },
    // Everything the server answers besides the pages: HTTP API, WebSockets, Prometheus metrics.
    // The Host header stays Vite's, so the server sees the pages' WebSockets as same-origin.
    proxy: {
      '/api': devBackend,
      '/ws': { target: devBackend.replace(/^http/, 'ws'), ws: true },
      '/metrics': devBackend,
    },
  },
});
