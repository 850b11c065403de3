#!/usr/bin/env node
// Builds the renderer into dist/renderer with `vite build --config vite.renderer.config.ts`, unless the
// build is newer than every file it is made from. `--force` always builds. Used by `npm test`,
// `npm start` and the end-to-end tests. Node.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const outDir = join(root, 'dist', 'renderer');
// One staging folder per build process, so that builds started at once (parallel tests) never clobber each other.
const stagingDir = join(root, 'dist', `.renderer-building-${process.pid}`);
const stamp = join(outDir, 'index.html');
// The sources, the build config and its plugins, and the lock file (a dependency upgrade changes the bundle).
const inputs = [
  join(root, 'renderer'),
  join(root, 'vite.renderer.config.ts'),
  join(root, 'scripts', 'tfjs-typings.ts'),
  join(root, 'package-lock.json'),
];

function newestMtimeMs(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtimeMs(join(path, entry)));
  return newest;
}

function upToDate() {
  if (!existsSync(stamp)) return false;
  const built = statSync(stamp).mtimeMs;
  return inputs.every((input) => !existsSync(input) || newestMtimeMs(input) < built);
}

if (!process.argv.includes('--force') && upToDate()) {
  console.log('renderer build is up to date (dist/renderer)');
  process.exit(0);
}

const startedMs = Date.now();
rmSync(stagingDir, { recursive: true, force: true });
const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
const code = await new Promise((done) => {
  const child = spawn(
    process.execPath,
    [vite, 'build', '--config', 'vite.renderer.config.ts', '--outDir', stagingDir, '--emptyOutDir', '--logLevel', 'warn'],
    // The config is an ES module in a CommonJS package, which Vite bundles as it loads it; its notice
    // that a future native loader will not is not ours to act on.
    { cwd: root, stdio: 'inherit', env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' } },
  );
  child.on('exit', (exitCode, signal) => done(signal ? 1 : exitCode));
});
if (code !== 0) {
  rmSync(stagingDir, { recursive: true, force: true });
  console.error(`renderer build failed (vite exit ${code})`);
  process.exit(1);
}
// Swap the finished build in whole, so a running server never serves half of one. Its stamp is the
// start time: a source edited during the build makes the next run build again.
const retired = join(root, 'dist', `.renderer-old-${process.pid}`);
if (existsSync(outDir)) renameSync(outDir, retired);
try {
  renameSync(stagingDir, outDir);
  utimesSync(stamp, startedMs / 1000, startedMs / 1000);
} catch (err) {
  // Another build swapped its result in first; theirs is as fresh as ours.
  if (!existsSync(stamp)) throw err;
  rmSync(stagingDir, { recursive: true, force: true });
}
rmSync(retired, { recursive: true, force: true });
console.log(`renderer built into dist/renderer in ${((Date.now() - startedMs) / 1000).toFixed(1)} s`);
