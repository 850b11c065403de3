// The editor's view of cells: lab-types.ts made global, checked by the real TypeScript compiler the way
// monaco's service checks cells (each cell a script of one project), with the notebook's ignore list.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { labGlobalTypings, NOTEBOOK_IGNORED_DIAGNOSTICS } from '../../../renderer/editor/lab-typings';

const labTypes = readFileSync(join(__dirname, '..', '..', '..', 'engine', 'kernel', 'lab-types.ts'), 'utf8');

/** Diagnostics of cells (file name → source) checked against the lab typings, as `code line: message`. */
function diagnose(cells: Record<string, string>, ignore: readonly number[] = NOTEBOOK_IGNORED_DIAGNOSTICS): string[] {
  const typings = labGlobalTypings(labTypes);
  const files: Record<string, string> = { '/engram/lab.d.ts': typings };
  for (const [name, source] of Object.entries(cells)) files[`/notebook/${name}.ts`] = source;
  const options: ts.CompilerOptions = { target: ts.ScriptTarget.ESNext, module: ts.ModuleKind.ESNext, lib: ['lib.es2022.d.ts'], strict: true, noEmit: true, types: [] };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  host.readFile = (f) => files[f] ?? read(f);
  host.fileExists = (f) => f in files || ts.sys.fileExists(f);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (f, lang) => (f in files ? ts.createSourceFile(f, files[f]!, lang) : getSourceFile(f, lang));
  const program = ts.createProgram(Object.keys(files), options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => !ignore.includes(d.code))
    .map((d) => {
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
      return `${d.code} ${d.file?.fileName ?? ''}:${line}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    });
}

describe('lab typings for the editor', () => {
  it('make `lab` a global const and its interfaces global types, with no errors in the typings', () => {
    const problems = diagnose({
      a: "const handle = lab.train({ model: 'slot-memory', task: 'binary-recall', set: { setSize: 4 }, steps: 10 });\nconst result: RunResult = await handle;\nconst grid: SweepGrid = { model: ['hopfield'], task: 'binary-recall' };",
      b: "await lab.plot({ runs: [handle, result], metric: 'loss' });\nlab.table([{ error: result.metrics['error_bits'] }]);\nresult.runId.toFixed(0);",
    });
    assert.deepEqual(problems, []);
  });

  it('still reports real mistakes in cells', () => {
    const problems = diagnose({ a: "lab.trian({ model: 'x', task: 'y' });\nconst n: number = lab.models;" });
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(problems[0]!, /^2551 .*a\.ts:1: Property 'trian' does not exist on type 'Lab'\. Did you mean 'train'\?/);
    assert.match(problems[1]!, /^2322 .*a\.ts:2:/);
  });

  it('ignore top-level await and a name declared again in another cell, as the kernel runs them', () => {
    const cells = { a: 'const x = 1;\nlet y = 2;\nfunction f() { return 1; }\nclass C {}', b: "const x = 'again';\nlet y = 3;\nfunction f() { return 2; }\nclass C {}\nfor await (const v of [Promise.resolve(1)]) console.log(v);\nawait Promise.resolve();" };
    assert.deepEqual(diagnose(cells), []);
    const unfiltered = new Set(diagnose(cells, []).map((d) => Number(d.split(' ')[0])));
    assert.deepEqual([...unfiltered].sort(), [1375, 1431, 2300, 2393, 2451], 'what plain TypeScript would flag');
  });

  it('refuse a lab-types.ts that is no longer self-contained', () => {
    assert.throws(() => labGlobalTypings(`import type { X } from './x';\n${labTypes}`), /imports something/);
    assert.throws(() => labGlobalTypings(`${labTypes}\nexport { Lab as L };`), /export the editor cannot make global/);
    assert.throws(() => labGlobalTypings('export interface NotLab {}'), /no interface Lab/);
  });
});
