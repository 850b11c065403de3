// Vite config of the preload bundle (sandboxed: everything it imports is bundled in).
import { defineConfig } from 'vite';

export default defineConfig({});
