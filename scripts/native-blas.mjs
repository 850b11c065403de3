#!/usr/bin/env node
// npm's postinstall: builds the optional native BLAS addon (engine/backend/native-blas, loaded at run
// time by engine/backend/native-blas.ts). npm runs no install script of a linked `file:` package, so
// the project builds it itself. A machine without a C compiler (or without Node's headers and no
// network to fetch them) gets one line saying so; the install still succeeds and matrix products stay
// on tfjs's own kernels.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const addon = resolve(import.meta.dirname, '..', 'engine', 'backend', 'native-blas');
// Node's headers beside the running node (Debian's nodejs puts them in /usr/include/node) spare
// node-gyp a download from nodejs.org.
const prefix = dirname(dirname(process.execPath));
const nodedir = existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
const build = spawnSync('node-gyp', ['rebuild', ...nodedir], {
  cwd: addon,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'pipe'],
  shell: process.platform === 'win32',
});
if (build.status === 0) {
  console.log('engram: built the native BLAS addon (matrix products on the system BLAS)');
} else {
  const reason = build.error ? build.error.message : (build.stderr.split('\n').find((l) => /error/i.test(l)) ?? `node-gyp exited ${build.status}`).trim();
  console.log(`engram: the native BLAS addon was not built (${reason}); matrix products stay on tfjs's kernels`);
}
