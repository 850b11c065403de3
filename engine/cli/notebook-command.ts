// `engram notebook new|run`: create a notebook (optionally the demo) and run a notebook headless —
// every cell in order in a real kernel, outputs kept in the lab book, the executed notebook written
// as .ipynb. CLI process.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CellOutput, ExecutionStatus, NotebookDoc } from '../api/notebook';
import { forkLauncher } from '../lab/kernel-host';
import { demoNotebook } from '../lab/notebooks/demo-notebook';
import { fromIpynb, type NotebookFigures } from '../lab/notebooks/ipynb';
import { parseNotebook, serializeNotebook } from '../lab/notebooks/native-format';
import { writeFileAtomic } from '../lab/notebooks/notebook-manager';
import { labBookPath } from '../lab/paths';
import { LabService } from '../lab/service';
import { stderrProgress } from './progress';

/** A notebook whose cell failed: exit code 1 with the cell and line. */
export class CellFailure extends Error {}

function readDoc(path: string): NotebookDoc {
  if (!existsSync(path)) throw new CellFailure(`no notebook at ${path}`);
  const text = readFileSync(path, 'utf8');
  return path.endsWith('.ipynb') ? fromIpynb(JSON.parse(text), path).doc : parseNotebook(text, path);
}

export function registerNotebookCommands(program: Command, options: { notebookFigures: () => NotebookFigures }): void {
  const notebook = program.command('notebook').description('create notebooks and run them headless');

  notebook
    .command('new <file>')
    .description('write a new notebook file (.engram.md)')
    .option('--demo', 'a copy of the demo notebook "Capacity of memories"')
    .action((file: string, opts: { demo?: boolean }) => {
      const path = resolve(file);
      if (existsSync(path)) throw new CellFailure(`${path} already exists; choose another name`);
      writeFileAtomic(path, serializeNotebook(opts.demo ? demoNotebook() : { title: 'Untitled', cells: [] }));
      process.stdout.write(`${path}\n`);
    });

  notebook
    .command('run <file>')
    .description('run every cell of a native or .ipynb notebook in order; outputs go to the lab book')
    .option('--db <path>', 'lab book file (default: ENGRAM_DB, else the app-data folder)')
    .option('--out <file>', 'write the executed notebook here as nbformat 4 .ipynb')
    .action(async (file: string, opts: { db?: string; out?: string }) => {
      const path = resolve(file);
      const doc = readDoc(path);
      const service = new LabService({ dbPath: labBookPath(opts.db), launcher: forkLauncher(), notebookFigures: options.notebookFigures });
      const code = doc.cells.filter((c) => c.kind === 'code');
      const progress = stderrProgress(`running ${doc.title}`);
      const outputs = new Map<number, CellOutput[]>();
      const finished = new Map<number, (status: ExecutionStatus) => void>();
      service.onEvent((event, payload) => {
        if (event === 'outputs.appended') {
          const p = payload as { executionId: number; output: CellOutput };
          outputs.set(p.executionId, [...(outputs.get(p.executionId) ?? []), p.output]);
        } else if (event === 'cells.finished') {
          const p = payload as { executionId: number; status: ExecutionStatus };
          finished.get(p.executionId)?.(p.status);
        }
      });
      let failure: string | null = null;
      try {
        for (const [i, cell] of code.entries()) {
          progress.update(i, code.length, `cell ${cell.id}`);
          const { executionId } = service.cells.execute(path, cell.id, cell.source);
          const status = await new Promise<ExecutionStatus>((done) => finished.set(executionId, done));
          if (status !== 'ok') {
            const error = outputs.get(executionId)?.find((o): o is Extract<CellOutput, { type: 'error' }> => o.type === 'error');
            const where = error?.line !== undefined ? `, line ${error.line}` : '';
            failure = `cell ${cell.id} (#${i + 1} of ${code.length} code cells${where}) failed: ${error ? `${error.ename}: ${error.evalue}` : status}`;
            break;
          }
        }
        progress.done();
        if (opts.out) {
          const json = await service.exportNotebook(doc, service.notebooks.outputs(path, doc));
          writeFileAtomic(resolve(opts.out), `${JSON.stringify(json, null, 1)}\n`);
        }
      } finally {
        await service.close();
      }
      if (failure) throw new CellFailure(failure);
      process.stdout.write(`ran ${code.length} code cells of ${path}${opts.out ? `; wrote ${resolve(opts.out)}` : ''}\n`);
    });
}
