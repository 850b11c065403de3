// Vite config of the Electron main process bundle (Forge merges in entry, format and Node builtins).
import { defineConfig } from 'vite';
import { mainExternals } from './vite.externals';

export default defineConfig({
  build: { rollupOptions: { external: [...mainExternals] } },
});
