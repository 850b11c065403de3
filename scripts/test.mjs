#!/usr/bin/env node
// `npm test`: type-checks every layer, builds the renderer the end-to-end tests load, then runs every
// test file under test/ with Node's test runner. `npm test -- PATH…` runs only the files or folders
// given (and skips the type-check and build when no e2e test is among them).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const startedMs = Date.now();

function run(cmd, cmdArgs, label) {
  return new Promise((done) => {
    const child = spawn(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env: process.env });
    child.on('exit', (code, signal) => {
      if (code !== 0) console.error(`${label} failed (${signal ?? `exit ${code}`})`);
      done(code === 0);
    });
  });
}

function testFiles(target) {
  const full = resolve(root, target);
  if (!existsSync(full)) throw new Error(`no such test path: ${target}`);
  if (statSync(full).isFile()) return [relative(root, full)];
  return readdirSync(full, { recursive: true })
    .map((f) => join(full, String(f)))
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => relative(root, f))
    .sort();
}

const files = (args.length ? args : ['test']).flatMap(testFiles);
const whole = args.length === 0;
const bin = (name) => join(root, 'node_modules', '.bin', name);

if (whole) {
  // One tsconfig per layer: a DOM global in the engine, or a Node API in the renderer, is a type error.
  const configs = ['tsconfig.json', 'tsconfig.renderer.json', 'tsconfig.renderer-tests.json', 'tsconfig.electron.json'];
  const checks = await Promise.all(configs.map((c) => run(bin('tsc'), ['-p', c], `type-check ${c}`)));
  if (checks.includes(false)) process.exit(1);
  console.log(`type-check of ${configs.length} layers passed`);
}
if (files.some((f) => f.startsWith('test/e2e/'))) {
  if (!(await run(process.execPath, [join(root, 'scripts', 'build.mjs')], 'renderer build'))) process.exit(1);
}

const passed = await run(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...files],
  'tests',
);
console.log(`test wall time ${((Date.now() - startedMs) / 1000).toFixed(1)} s`);
process.exit(passed ? 0 : 1);
