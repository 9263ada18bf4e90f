// Builds the designer into renderer/dist, which the engine's local server (and later Electron) serves.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';
import { vendorPlugin } from './vendor';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * `vite` dev mode: set SLUICE_ENGINE to a running `sluice serve` origin (e.g. http://127.0.0.1:4500)
 * and open http://localhost:5173/#token=<its token>. The proxy drops Origin because the engine
 * refuses cross-origin calls, and the dev page is on another port.
 */
const engine = process.env.SLUICE_ENGINE;

export default defineConfig({
  root,
  base: './',
  plugins: [react(), vendorPlugin(root)],
  // @sluice/format and @sluice/shell's bridge are bundled from their TypeScript sources (package.json exports).
  resolve: { conditions: ['sluice-source', ...defaultClientConditions] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // Modern Chromium only (browser mode and Electron); no legacy transforms.
    target: 'chrome120',
    // The app loads from the local engine or from disk in Electron, never over a network: one ~600 kB
    // bundle costs nothing worth splitting for, so only a much larger one should warn.
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      // zod ships explanatory comments next to its @__PURE__ marks; Rollup warns about each on every build.
      onwarn(warning, warn) {
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('/node_modules/zod/')) return;
        warn(warning);
      },
    },
  },
  server: engine
    ? {
        proxy: {
          '/api': {
            target: engine,
            changeOrigin: true,
            configure: (proxy) => proxy.on('proxyReq', (req) => req.removeHeader('origin')),
          },
        },
      }
    : {},
});
