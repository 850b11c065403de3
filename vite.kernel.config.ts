// Vite config of the kernel bundle, started by the main process as a utility process.
import { defineConfig } from 'vite';
import { kernelExternals } from './vite.externals';

export default defineConfig({
  build: { rollupOptions: { external: (id) => kernelExternals.some((m) => id === m || id.startsWith(`${m}/`)) } },
});
