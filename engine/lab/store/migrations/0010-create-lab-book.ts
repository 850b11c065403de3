// Migration 10: the first lab book schema — runs, metric series stored in blocks, snapshots, tags,
// cell outputs, notebook drafts and recent notebooks. Runs in the lab service process (the only writer).
import type { Migration } from './index';

export const createLabBook: Migration = {
  version: 10,
  name: 'create lab book',
  up: `
    CREATE TABLE runs (
      id            INTEGER PRIMARY KEY AUTOINCREMENT,
      name          TEXT    NOT NULL,
      kind          TEXT    NOT NULL CHECK (kind IN ('train', 'eval')),
      model         TEXT    NOT NULL,
      task          TEXT    NOT NULL,
      spec          TEXT    NOT NULL,  -- JSON RunSpec
      seed          INTEGER NOT NULL,
      backend       TEXT,
      memory_floats INTEGER,
      status        TEXT    NOT NULL CHECK (status IN ('PENDING', 'RUNNING', 'FINISHED', 'FAILED', 'KILLED', 'CRASHED')),
      step          INTEGER NOT NULL DEFAULT 0,
      total_steps   INTEGER NOT NULL DEFAULT 0,
      created_ms    REAL    NOT NULL,
      started_ms    REAL,
      ended_ms      REAL,
      heartbeat_ms  REAL,
      error         TEXT,
      note          TEXT    NOT NULL DEFAULT '',
      provenance    TEXT    NOT NULL,  -- JSON Provenance
      notebook      TEXT,
      cell_id       TEXT,
      owner_pid     INTEGER,           -- the process that writes this run, for the stale-run sweep
      owner_host    TEXT,
      parent_run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
      parent_step   INTEGER
    );
    CREATE INDEX runs_by_status ON runs(status);
    CREATE INDEX runs_by_notebook_cell ON runs(notebook, cell_id);

    CREATE TABLE run_tags (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      tag    TEXT    NOT NULL,
      PRIMARY KEY (run_id, tag)
    ) WITHOUT ROWID;

    -- One row per (run, metric key) with running statistics, so run lists never scan points.
    CREATE TABLE metric_series (
      id         INTEGER PRIMARY KEY AUTOINCREMENT,
      run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      key        TEXT    NOT NULL,
      count      INTEGER NOT NULL,
      first_step REAL    NOT NULL,
      last_step  REAL    NOT NULL,
      last_value REAL    NOT NULL,
      min_value  REAL    NOT NULL,
      max_value  REAL    NOT NULL,
      UNIQUE (run_id, key)
    );

    -- Points in blocks of up to BLOCK_SIZE, as little-endian float64 arrays, with per-block
    -- extremes so a full-range down-sample reads only block headers where it can.
    CREATE TABLE metric_blocks (
      series_id     INTEGER NOT NULL REFERENCES metric_series(id) ON DELETE CASCADE,
      block         INTEGER NOT NULL,
      count         INTEGER NOT NULL,
      min_step      REAL    NOT NULL,
      max_step      REAL    NOT NULL,
      min_value     REAL    NOT NULL,
      max_value     REAL    NOT NULL,
      steps         BLOB    NOT NULL,
      vals          BLOB    NOT NULL,
      wall_times_ms BLOB    NOT NULL,
      PRIMARY KEY (series_id, block)
    ) WITHOUT ROWID;

    CREATE TABLE snapshots (
      id         INTEGER PRIMARY KEY AUTOINCREMENT,
      run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      step       INTEGER NOT NULL,
      kind       TEXT    NOT NULL CHECK (kind IN ('memory', 'checkpoint')),
      created_ms REAL    NOT NULL
    );
    CREATE INDEX snapshots_by_run ON snapshots(run_id, step);

    CREATE TABLE snapshot_tensors (
      snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
      name        TEXT    NOT NULL,
      dtype       TEXT    NOT NULL CHECK (dtype IN ('float32', 'int32', 'bool')),
      shape       TEXT    NOT NULL,  -- JSON array
      data        BLOB    NOT NULL,
      PRIMARY KEY (snapshot_id, name)
    ) WITHOUT ROWID;

    -- Cell outputs live here, not in the notebook file, keyed by notebook, cell and source hash.
    CREATE TABLE cell_outputs (
      notebook        TEXT    NOT NULL,  -- absolute path of the notebook file
      cell_id         TEXT    NOT NULL,
      source_hash     TEXT    NOT NULL,
      execution_count INTEGER,
      trusted         INTEGER NOT NULL DEFAULT 1,  -- 0: imported from a file made elsewhere
      seq             INTEGER NOT NULL,
      output          TEXT    NOT NULL,  -- JSON CellOutput
      created_ms      REAL    NOT NULL,
      PRIMARY KEY (notebook, cell_id, seq)
    ) WITHOUT ROWID;

    -- Edits not yet written to the notebook file: written here first (synchronous=FULL), so a crash
    -- between an edit and the autosave loses nothing.
    CREATE TABLE notebook_drafts (
      notebook   TEXT PRIMARY KEY,
      content    TEXT NOT NULL,  -- JSON NotebookDoc
      updated_ms REAL NOT NULL
    );

    CREATE TABLE recent_notebooks (
      notebook  TEXT PRIMARY KEY,
      title     TEXT NOT NULL,
      opened_ms REAL NOT NULL
    );
  `,
};
