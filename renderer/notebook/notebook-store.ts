// Holds the open notebook and tells views when it changes: the one mutable place around the pure
// document functions of notebook-document.ts. No DOM. Renderer process.
import type { NotebookDocument } from './notebook-document';

export type NotebookListener = (doc: NotebookDocument, previous: NotebookDocument) => void;

export class NotebookStore {
  private current: NotebookDocument;
  private readonly listeners = new Set<NotebookListener>();

  constructor(initial: NotebookDocument) {
    this.current = initial;
  }

  get doc(): NotebookDocument {
    return this.current;
  }

  /** Applies a document function; listeners hear of it only when the document actually changed. */
  update(change: (doc: NotebookDocument) => NotebookDocument): void {
    const previous = this.current;
    const next = change(previous);
    if (next === previous) return;
    this.current = next;
    for (const listener of this.listeners) listener(next, previous);
  }

  subscribe(listener: NotebookListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
