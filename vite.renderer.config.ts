// Vite build of the renderer: renderer/ → dist/renderer (.vite/renderer/<name> under Electron Forge),
// served alike by `engram serve` and Electron's app:// scheme, hence relative asset URLs. Node, at build time.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type ConfigEnv, type Plugin } from 'vite';
import { tfjsTypings } from './scripts/tfjs-typings';

const root = dirname(fileURLToPath(import.meta.url));

/**
 * plotly's registry requires maplibre's stylesheet for map traces, which the partial bundle leaves out;
 * the bundler would still ship it (65 kB of CSS), so it resolves to nothing.
 */
function withoutMapStyles(): Plugin {
  const empty = '\0engram-empty-css';
  return {
    name: 'engram-without-map-styles',
    enforce: 'pre',
    resolveId: (id) => (id === 'maplibre-gl/dist/maplibre-gl.css' ? empty : null),
    load: (id) => (id === empty ? '' : null),
  };
}

/**
 * Electron Forge's Vite plugin loads this config too, adding its renderer entry to the env, and wants
 * the build in `.vite/renderer/<name>` (what it packages and electron/main.ts serves); Forge's own
 * default for that is relative to `root`, which here is renderer/, so it is given absolute.
 */
function outDirFor(env: ConfigEnv & { forgeConfigSelf?: { name?: string } }): string {
  const forgeName = env.forgeConfigSelf?.name;
  return forgeName ? resolve(root, '.vite', 'renderer', forgeName) : resolve(root, 'dist', 'renderer');
}

// Vite reads its config from the default export.
export default defineConfig((env) => ({
  root: resolve(root, 'renderer'),
  base: './',
  plugins: [withoutMapStyles(), tfjsTypings(root)],
  // plotly's dependencies (has-hover, …) were written for browserify, which provided Node's `global`.
  define: { global: 'globalThis' },
  build: {
    outDir: outDirFor(env),
    emptyOutDir: true,
    target: 'es2022',
    // Chromium supports modulepreload; the polyfill would only add code.
    modulePreload: { polyfill: false },
    // monaco's TypeScript worker and plotly are large by nature; both load lazily.
    chunkSizeWarningLimit: 8000,
    reportCompressedSize: false,
    rolldownOptions: {
      // The app, and the page that headless exports draw figures in (renderer/export/export-main.ts).
      input: { index: resolve(root, 'renderer', 'index.html'), export: resolve(root, 'renderer', 'export.html') },
      checks: {
        // plotly's dependency bit-twiddle opens with "use restrict" (a harmless typo of "use strict").
        moduleLevelDirective: false,
        // The time is the TypeScript worker's own sub-build; nothing to act on.
        bundlerTimings: false,
      },
    },
  },
  // Monaco's workers import chunks of their own, which only ES-module workers can.
  worker: { format: 'es' },
}));
