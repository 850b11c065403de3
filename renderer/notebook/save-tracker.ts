// Whether the open notebook has edits its file does not hold yet: dirty from the first unsaved edit
// until the service says it wrote the file (`notebooks.saved`, or an explicit save's answer). Writes
// are sent one at a time, so at most one is in flight. No DOM. Renderer process.

export class SaveTracker {
  private dirtyNow = false;
  /** Edits made since the last write was sent. */
  private unsent = false;
  private inFlight = false;
  /** A `notebooks.saved` arrived while a write was in flight: it may or may not have included it. */
  private savedDuringFlight = false;

  get dirty(): boolean {
    return this.dirtyNow;
  }

  /** Unsent edits wait for the next write. */
  get hasUnsent(): boolean {
    return this.unsent;
  }

  edited(): void {
    this.dirtyNow = true;
    this.unsent = true;
  }

  /** A write (`notebooks.update` or `notebooks.save`) leaves with the document as it is now. */
  sending(): void {
    this.unsent = false;
    this.inFlight = true;
    this.savedDuringFlight = false;
  }

  /**
   * The service took an update (it writes the file within 2 s and then says `notebooks.saved`).
   * Returns true when the update must be sent again: a save announced while it was in flight may have
   * been of an earlier edit or of this one, and without a later announcement the notebook would stay
   * marked dirty; sending the same document again earns a fresh, unambiguous one.
   */
  updated(): boolean {
    this.inFlight = false;
    const ambiguous = this.savedDuringFlight && !this.unsent;
    this.savedDuringFlight = false;
    if (ambiguous) this.unsent = true;
    return ambiguous;
  }

  /** An explicit save (`notebooks.save`) wrote the document that was sent. */
  savedExplicitly(): void {
    this.inFlight = false;
    this.savedDuringFlight = false;
    if (!this.unsent) this.dirtyNow = false;
  }

  /** A write failed: what it carried is unsent again. */
  failed(): void {
    this.inFlight = false;
    this.savedDuringFlight = false;
    this.unsent = true;
  }

  /** `notebooks.saved` for this notebook's path. */
  savedEvent(): void {
    if (this.inFlight) this.savedDuringFlight = true;
    else if (!this.unsent) this.dirtyNow = false;
  }
}
