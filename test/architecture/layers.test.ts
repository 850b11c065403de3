// The layer rules of design.md §3, checked on every import of every source file: nothing imports
// upward, the engine knows no Electron, SQLite, transport or DOM, the renderer no Node or engine code.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const root = resolve(__dirname, '..', '..');

interface ImportRef {
  readonly file: string;
  readonly specifier: string;
  readonly typeOnly: boolean;
}

/** Every static import/export-from, dynamic import() and require() of a source file. */
export function importsOf(file: string, source: string): ImportRef[] {
  const refs: ImportRef[] = [];
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const statement = /^\s*(import|export)\s+(type\s+)?([^'";]*?from\s+)?['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(statement)) {
    const clause = m[3] ?? '';
    const typeOnly = Boolean(m[2]) || /^\{\s*(type\s+[^,}]+,?\s*)+\}\s*from\s+$/.test(clause.trim() + ' ');
    refs.push({ file, specifier: m[4]!, typeOnly });
  }
  for (const m of text.matchAll(/\b(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g)) refs.push({ file, specifier: m[1]!, typeOnly: false });
  return refs;
}

type Layer = 'api' | 'engine' | 'tasks' | 'backend' | 'kernel' | 'lab' | 'server' | 'cli' | 'electron' | 'renderer';

function layerOf(path: string): Layer | null {
  const p = relative(root, path).split('\\').join('/');
  if (p.startsWith('renderer/')) return 'renderer';
  if (p.startsWith('electron/')) return 'electron';
  const m = /^engine\/([^/]+)\//.exec(p);
  if (!m) return null;
  const area = m[1]!;
  if (['core', 'models', 'training'].includes(area)) return 'engine';
  if (['api', 'tasks', 'backend', 'kernel', 'lab', 'server', 'cli'].includes(area)) return area as Layer;
  return null;
}

/** Which layers each layer may import (by relative path), and which packages. */
const rules: Record<Layer, { layers: readonly Layer[]; packages: RegExp; node: boolean }> = {
  api: { layers: ['api'], packages: /^zod$/, node: false },
  engine: { layers: ['engine', 'tasks', 'api'], packages: /^@tensorflow\/tfjs$/, node: false },
  tasks: { layers: ['engine', 'tasks', 'api'], packages: /^(@tensorflow\/tfjs|pngjs)$/, node: true },
  backend: { layers: ['backend', 'engine', 'api'], packages: /^@tensorflow\//, node: true },
  kernel: { layers: ['kernel', 'engine', 'tasks', 'backend', 'api'], packages: /^(@tensorflow\/tfjs|esbuild|typescript)$/, node: true },
  // playwright-core drives the system Chromium that draws figure exports (engine/lab/export/).
  lab: { layers: ['lab', 'api'], packages: /^(better-sqlite3|zod|yaml|pngjs|playwright-core)$/, node: true },
  server: { layers: ['server', 'lab', 'api'], packages: /^(ws|sirv)$/, node: true },
  cli: { layers: ['cli', 'server', 'lab', 'engine', 'tasks', 'backend', 'api'], packages: /^commander$/, node: true },
  electron: { layers: ['electron', 'lab', 'api'], packages: /^electron$/, node: true },
  renderer: { layers: ['renderer'], packages: /^(monaco-editor|plotly\.js|dompurify|marked|@fontsource\/inter)(\/|$)/, node: false },
};

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true })
    .map(String)
    .filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts'))
    .map((f) => join(root, dir, f));
}

/** The violations of the rules in one file's imports. */
export function violations(file: string, refs: readonly ImportRef[]): string[] {
  const layer = layerOf(file);
  if (!layer) return [];
  const rule = rules[layer];
  const out: string[] = [];
  const where = relative(root, file);
  for (const ref of refs) {
    const s = ref.specifier;
    if (s.startsWith('.')) {
      const target = resolve(dirname(file), s);
      const targetLayer = layerOf(target.endsWith('.ts') ? target : `${target}.ts`);
      if (relative(root, target) === 'package.json' && layer === 'lab') continue; // the version
      // The renderer may see the contract's types, never its code.
      if (layer === 'renderer' && targetLayer === 'api' && ref.typeOnly) continue;
      // …and may read a TypeScript file as text (Vite's `?raw`): data for the editor, not code it runs.
      if (layer === 'renderer' && /\.ts\?raw$/.test(s)) continue;
      if (!targetLayer || !rule.layers.includes(targetLayer)) {
        out.push(`${where}: ${layer} imports ${relative(root, target)} (${targetLayer ?? 'outside the layers'})`);
      }
    } else if (s.startsWith('node:')) {
      if (!rule.node) out.push(`${where}: ${layer} imports ${s}`);
    } else if (!ref.typeOnly && !rule.packages.test(s)) {
      out.push(`${where}: ${layer} imports the package ${s}`);
    }
  }
  return out;
}

describe('layer rules', () => {
  it('hold for every import of engine/, electron/ and renderer/', () => {
    const files = [...sources('engine'), ...sources('electron'), ...sources('renderer')];
    assert.ok(files.length > 20, `found only ${files.length} source files`);
    const problems = files.flatMap((f) => violations(f, importsOf(f, readFileSync(f, 'utf8'))));
    assert.deepEqual(problems, []);
  });

  it('catch an upward import, a Node import in the engine and runtime engine code in the renderer', () => {
    const check = (path: string, source: string) => violations(join(root, path), importsOf(join(root, path), source));
    assert.equal(check('engine/models/x.ts', "import { LabStore } from '../lab/store/lab-store';").length, 1);
    assert.equal(check('engine/models/x.ts', "import { readFileSync } from 'node:fs';").length, 1);
    assert.equal(check('engine/lab/x.ts', "import { train } from '../training/trainer';").length, 1);
    assert.equal(check('engine/kernel/x.ts', "import Database from 'better-sqlite3';").length, 1);
    assert.equal(check('renderer/x.ts', "import { labMethods } from '../engine/api/lab-api';").length, 1);
    assert.equal(check('renderer/x.ts', "import type { LabClient } from '../engine/api/lab-api';").length, 0);
    assert.equal(check('renderer/x.ts', "import { type LabClient } from '../engine/api/lab-api';").length, 0);
    assert.equal(check('renderer/x.ts', "const fs = require('fs');").length, 1);
    assert.equal(check('renderer/x.ts', "import labTypes from '../engine/kernel/lab-types.ts?raw';").length, 0);
    assert.equal(check('renderer/x.ts', "import { createCellLab } from '../engine/kernel/cell-lab';").length, 1);
    assert.equal(check('electron/x.ts', "import { renderRuns } from '../renderer/runs/list';").length, 1);
    assert.equal(check('engine/api/x.ts', "import { Rng } from '../core/random';").length, 1);
  });
});
