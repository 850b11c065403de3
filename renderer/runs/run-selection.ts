// The runs ticked in the runs table: what Compare overlays and the capacity curve spans. In insertion
// order, observable. No DOM. Renderer process.
import type { RunId } from '../../engine/api/schemas';

export class RunSelection {
  private readonly ids = new Set<RunId>();
  private readonly listeners = new Set<() => void>();

  has(id: RunId): boolean {
    return this.ids.has(id);
  }

  get size(): number {
    return this.ids.size;
  }

  list(): RunId[] {
    return [...this.ids];
  }

  toggle(id: RunId, on = !this.ids.has(id)): void {
    if (on === this.ids.has(id)) return;
    if (on) this.ids.add(id);
    else this.ids.delete(id);
    this.changed();
  }

  /** Replaces the selection. */
  set(ids: Iterable<RunId>): void {
    const next = [...new Set(ids)];
    if (next.length === this.ids.size && next.every((id) => this.ids.has(id))) return;
    this.ids.clear();
    for (const id of next) this.ids.add(id);
    this.changed();
  }

  /** Drops ids that are no longer runs (deleted). */
  retain(live: ReadonlySet<RunId>): void {
    const gone = [...this.ids].filter((id) => !live.has(id));
    if (gone.length === 0) return;
    for (const id of gone) this.ids.delete(id);
    this.changed();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
