// The notebook a fresh window opens with, until notebooks are opened from files. Renderer process.
import { createCell, createNotebook, insertCell, type NotebookDocument } from './notebook-document';

const FIRST_CELL = `// A TypeScript cell, checked as you type. Running cells in the kernel comes next;
// for now, train the demo model with "Start demo run" in the runs panel.
interface MemoryBudget {
  slots: number;
  width: number;
}

const budget: MemoryBudget = { slots: 16, width: 32 };
const memoryFloats = budget.slots * budget.width;
`;

export function createDemoNotebook(): NotebookDocument {
  const empty = createNotebook('Untitled');
  return insertCell(empty, createCell(empty, 'code', FIRST_CELL));
}
