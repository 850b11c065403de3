// Schemas of notebooks and cell outputs as they cross process boundaries (renderer ⇄ service ⇄ kernel).
// Part of the contract: imports nothing of ours but the run id schema.
import { z } from 'zod';
import { RunId } from './schemas';

/** A cell's stable id: it survives edits, moves and .ipynb round trips. */
export const CellId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - (1 to 64)').brand<'CellId'>();
export type CellId = z.infer<typeof CellId>;

export const Cell = z.object({
  id: CellId,
  kind: z.enum(['code', 'markdown']),
  source: z.string(),
});
export type Cell = z.infer<typeof Cell>;

/** A notebook document: what the native file holds (no outputs). */
export const NotebookDoc = z.object({
  title: z.string(),
  cells: z.array(Cell),
});
export type NotebookDoc = z.infer<typeof NotebookDoc>;

/** Image data for an image-grid output: `count` images of height×width, grey bytes row-major, base64. */
const ImagesOutput = z.object({
  type: z.literal('images'),
  /** `image`: pixels in [0,255]; `bits`: ±1 patterns drawn as black/white rows. */
  kind: z.enum(['image', 'bits']),
  count: z.number().int().nonnegative(),
  height: z.number().int().positive(),
  width: z.number().int().positive(),
  pixelsBase64: z.string(),
  labels: z.array(z.string()).optional(),
  title: z.string().optional(),
});

/** One output of a cell run. Figures are plotly specs (data only, never script). */
export const CellOutput = z.discriminatedUnion('type', [
  z.object({ type: z.literal('stream'), name: z.enum(['stdout', 'stderr']), text: z.string() }),
  z.object({
    type: z.literal('error'),
    ename: z.string(),
    evalue: z.string(),
    traceback: z.array(z.string()),
    /** Position in the cell (1-based) where it was raised, when known. */
    line: z.number().int().optional(),
    column: z.number().int().optional(),
  }),
  /** The value of the cell's last expression, as text. */
  z.object({ type: z.literal('result'), text: z.string() }),
  z.object({ type: z.literal('table'), columns: z.array(z.string()), rows: z.array(z.array(z.unknown())) }),
  z.object({
    type: z.literal('figure'),
    spec: z.object({ data: z.array(z.record(z.string(), z.unknown())), layout: z.record(z.string(), z.unknown()).optional() }),
    /** A figure of run metrics that keeps growing while those runs progress. */
    live: z.object({ runIds: z.array(RunId), metric: z.string(), x: z.enum(['step', 'time']) }).optional(),
  }),
  ImagesOutput,
  z.object({ type: z.literal('run'), runId: RunId, name: z.string(), model: z.string(), task: z.string() }),
  /** A picture made elsewhere (an imported notebook's image/png). */
  z.object({ type: z.literal('image'), mime: z.enum(['image/png', 'image/jpeg']), dataBase64: z.string() }),
  /** HTML made elsewhere (an imported notebook's text/html); always shown sanitised. */
  z.object({ type: z.literal('html'), html: z.string() }),
  /** Progress of something long; a later progress output with the same key replaces it. */
  z.object({ type: z.literal('progress'), key: z.string(), label: z.string(), done: z.number(), total: z.number() }),
]);
export type CellOutput = z.infer<typeof CellOutput>;

/** Outputs kept in the lab book for one cell, with the source hash they were produced from. */
export const StoredCellOutputs = z.object({
  cellId: CellId,
  sourceHash: z.string(),
  executionCount: z.number().int().nullable(),
  outputs: z.array(CellOutput),
  /** False for outputs imported from a file made elsewhere: shown, never treated as live. */
  trusted: z.boolean(),
});
export type StoredCellOutputs = z.infer<typeof StoredCellOutputs>;

/** An open notebook: its document, its stored outputs, and its save state. */
export const NotebookState = z.object({
  path: z.string(),
  doc: NotebookDoc,
  outputs: z.array(StoredCellOutputs),
  /** The document has edits not yet written to its file. */
  dirty: z.boolean(),
  /** The document was restored from edits an earlier session had not yet saved. */
  recovered: z.boolean(),
  savedMs: z.number().nullable(),
});
export type NotebookState = z.infer<typeof NotebookState>;

export const RecentNotebook = z.object({ path: z.string(), title: z.string(), openedMs: z.number() });
export type RecentNotebook = z.infer<typeof RecentNotebook>;

export const ExecutionStatus = z.enum(['ok', 'error', 'interrupted']);
export type ExecutionStatus = z.infer<typeof ExecutionStatus>;
