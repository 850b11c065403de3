// The tfjs typings asset: every declaration file `@tensorflow/tfjs` reaches is collected, and a cell
// that uses the global `tf` type-checks against the asset alone, as the editor's service will see it.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { TF_GLOBAL_TYPINGS, TFJS_TYPINGS_URL } from '../../renderer/editor/lab-typings';
import { collectTypings, TFJS_TYPINGS_ASSET } from '../../scripts/tfjs-typings';

const nodeModules = join(__dirname, '..', '..', 'node_modules');

describe('tfjs typings asset', () => {
  const { files } = collectTypings(nodeModules, '@tensorflow/tfjs');

  it('holds the declarations tfjs reaches, entry stubs for its packages, and no licence headers', () => {
    const keys = Object.keys(files);
    for (const expected of [
      'node_modules/@tensorflow/tfjs/dist/index.d.ts',
      'node_modules/@tensorflow/tfjs-core/dist/tensor.d.ts',
      'node_modules/@tensorflow/tfjs-layers/dist/index.d.ts',
      'node_modules/@tensorflow/tfjs/index.d.ts',
      'node_modules/@tensorflow/tfjs-core/index.d.ts',
    ]) {
      assert.ok(keys.includes(expected), `missing ${expected}`);
    }
    assert.equal(files['node_modules/@tensorflow/tfjs-core/index.d.ts'], "export * from './dist/index';\n");
    assert.ok(keys.every((k) => k.startsWith('node_modules/@tensorflow/') && k.endsWith('.d.ts')), 'only tfjs declaration files');
    assert.equal(keys.filter((k) => /@license/.test(files[k]!.slice(0, 200))).length, 0);
  });

  it('types `tf` in a cell from the asset alone (as file:///node_modules/… in the editor)', () => {
    const vfs: Record<string, string> = { '/engram/tf.d.ts': TF_GLOBAL_TYPINGS };
    for (const [key, text] of Object.entries(files)) vfs[`/${key}`] = text;
    vfs['/notebook/cell.ts'] = "const t = tf.tensor2d([[1, 2], [3, 4]]);\nconst s: number = t.sum().arraySync() as number;\nconst model = tf.sequential();\ntf.nope();";
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ESNext,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      lib: ['lib.es2022.d.ts'],
      strict: true,
      noEmit: true,
      types: [],
    };
    const host = ts.createCompilerHost(options);
    const realFile = host.getSourceFile.bind(host);
    host.fileExists = (f) => f in vfs || (f.includes('/typescript/lib/') && ts.sys.fileExists(f));
    host.readFile = (f) => vfs[f] ?? (f.includes('/typescript/lib/') ? ts.sys.readFile(f) : undefined);
    host.getSourceFile = (f, lang) => (f in vfs ? ts.createSourceFile(f, vfs[f]!, lang) : realFile(f, lang));
    host.getCurrentDirectory = () => '/';
    host.directoryExists = (d) => Object.keys(vfs).some((k) => k.startsWith(`${d}/`)) || d.includes('/typescript/lib');
    const program = ts.createProgram(['/engram/tf.d.ts', '/notebook/cell.ts'], options, host);
    const cellErrors = ts.getPreEmitDiagnostics(program, program.getSourceFile('/notebook/cell.ts')).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
    assert.deepEqual(cellErrors, ["Property 'nope' does not exist on type 'typeof import(\"/node_modules/@tensorflow/tfjs/index\")'."]);
  });

  it('is fetched by the renderer from where the build puts it', () => {
    assert.equal(TFJS_TYPINGS_URL, TFJS_TYPINGS_ASSET);
  });
});
