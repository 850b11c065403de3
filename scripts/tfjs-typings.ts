// A Vite plugin giving the notebook editor the typings of `@tensorflow/tfjs`: the .d.ts files its entry
// reaches, collected at build time into one JSON asset (`typings/tfjs.json`) that the renderer hands
// to monaco. Node, at build time (and in the Vite dev server).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import type { Plugin } from 'vite';

/** Where the renderer finds the asset, relative to its page. */
export const TFJS_TYPINGS_ASSET = 'typings/tfjs.json';

/** The asset: file path (`node_modules/@tensorflow/…`, '/'-separated) → text. */
export interface TypingsAsset {
  readonly files: Record<string, string>;
}

// Apache licence headers repeat in each of the ~600 files (some after an `/// <amd-module>` line); the
// asset keeps the text that types code.
const LICENSE_HEADER = /\/\*\*[\s*]*@license[\s\S]*?\*\/\s*/;

/**
 * The .d.ts files reachable from `entry` (a package name) inside `nodeModules`, following imports,
 * re-exports, `import()` types and `/// <reference path>`; packages that are not installed (such as
 * @webgpu/types, referenced by a backend) are left out, and their types read as `any`. Each package
 * also gets an `index.d.ts` at its root re-exporting its `types` entry, so that module resolution
 * finds it without reading package.json (which the editor's service would take for a source file).
 */
export function collectTypings(nodeModules: string, entry: string): TypingsAsset {
  const files: Record<string, string> = {};
  const packages = new Map<string, string>();
  const keyOf = (file: string) => `node_modules/${relative(nodeModules, file).split('\\').join('/')}`;

  const declarationFile = (path: string): string | null => {
    for (const candidate of [path, `${path}.d.ts`, path.replace(/\.js$/, '.d.ts'), join(path, 'index.d.ts')]) {
      if (candidate.endsWith('.d.ts') && existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    }
    return null;
  };

  const packageFile = (specifier: string): string | null => {
    const m = /^(@[^/]+\/[^/]+|[^/.][^/]*)(\/.*)?$/.exec(specifier);
    if (!m) return null;
    const dir = join(nodeModules, m[1]!);
    if (!existsSync(join(dir, 'package.json'))) return null;
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { types?: string; typings?: string };
    const main = manifest.types ?? manifest.typings ?? 'index.d.ts';
    packages.set(m[1]!, main);
    return declarationFile(m[2] ? join(dir, m[2]) : join(dir, main));
  };

  const visit = (file: string) => {
    const key = keyOf(file);
    if (key in files) return;
    const text = readFileSync(file, 'utf8');
    files[key] = text.replace(LICENSE_HEADER, '');
    const info = ts.preProcessFile(text, true, true);
    for (const ref of [...info.importedFiles, ...info.referencedFiles]) {
      const target = ref.fileName.startsWith('.') ? declarationFile(resolve(dirname(file), ref.fileName)) : packageFile(ref.fileName);
      if (target) visit(target);
    }
  };

  const root = packageFile(entry);
  if (!root) throw new Error(`no typings for ${entry} under ${nodeModules}`);
  visit(root);
  for (const [name, main] of packages) {
    const index = `node_modules/${name}/index.d.ts`;
    if (index in files) continue;
    const target = `./${main.replace(/^\.\//, '').replace(/\.d\.ts$/, '')}`;
    files[index] = `export * from '${target}';\n`;
  }
  return { files };
}

/** The plugin: emits the asset into the build, and serves it from the dev server. */
export function tfjsTypings(projectRoot: string): Plugin {
  let asset: string | null = null;
  const source = () => (asset ??= JSON.stringify(collectTypings(join(projectRoot, 'node_modules'), '@tensorflow/tfjs')));
  return {
    name: 'engram-tfjs-typings',
    configureServer(server) {
      server.middlewares.use(`/${TFJS_TYPINGS_ASSET}`, (_req, res) => {
        res.setHeader('Content-Type', 'application/json');
        res.end(source());
      });
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: TFJS_TYPINGS_ASSET, source: source() });
    },
  };
}
