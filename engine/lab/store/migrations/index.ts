// The lab book's numbered migrations, applied in order under `PRAGMA user_version`. Add a file
// `NNNN-verb-noun.ts` (versions in steps of 10) and list it here; never edit a released migration.
import type Database from 'better-sqlite3';
import { createLabBook } from './0010-create-lab-book';

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** SQL to run, or a function for migrations that need to transform data. */
  readonly up: string | ((db: Database.Database) => void);
}

export const migrations: readonly Migration[] = [createLabBook];

/** The schema version a fully migrated lab book has. */
export const latestVersion = migrations[migrations.length - 1]!.version;

/**
 * Brings `db` to the latest version, each migration in its own transaction, so that a crash leaves
 * the book at the last completed version. A book newer than this build is refused, not touched.
 */
export function migrate(db: Database.Database): { from: number; to: number } {
  const from = db.pragma('user_version', { simple: true }) as number;
  if (from > latestVersion) {
    throw new Error(`lab book schema version ${from} is newer than this Engram (${latestVersion}); upgrade Engram`);
  }
  for (const m of migrations) {
    if (m.version <= from) continue;
    db.transaction(() => {
      if (typeof m.up === 'string') db.exec(m.up);
      else m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return { from, to: latestVersion };
}
