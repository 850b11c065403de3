#!/usr/bin/env node
// `npm start`: the Electron app, fetching Electron's binary first if it is missing (npm install skips
// it, see "allowScripts"); where it cannot be fetched, one line says why and browser mode starts.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const require = createRequire(join(root, 'package.json'));

function electronBinary() {
  try {
    return require('electron'); // the executable's path, once the binary is installed
  } catch {
    return null;
  }
}

function fetchElectron() {
  const env = { ...process.env };
  delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'electron', 'install.js')], { cwd: root, env, encoding: 'utf8' });
  if (r.status === 0 && electronBinary()) return null;
  const text = `${r.stderr}\n${r.stdout}`;
  return (/(getaddrinfo \S+ \S+|Error: [^\n]+)/.exec(text)?.[1] ?? `the download exited with code ${r.status}`).trim();
}

function run(cmd, args) {
  const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => process.exit(signal ? 130 : (code ?? 1)));
}

let binary = electronBinary();
const why = binary ? null : fetchElectron();
binary = binary ?? electronBinary();
if (binary) {
  run(join(root, 'node_modules', '.bin', 'electron-forge'), ['start']);
} else {
  console.log(`Electron is not available (${why}); starting browser mode instead.`);
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
  run(process.execPath, ['--import', 'tsx', join(root, 'engine', 'cli', 'main.ts'), 'serve', ...process.argv.slice(2)]);
}
