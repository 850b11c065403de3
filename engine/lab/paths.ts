// Where Engram keeps its files: the same folder Electron calls `userData`, so the app, the CLI and
// browser mode share one lab book by default. Runs in the lab service process and the CLI.
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The product name Electron derives `userData` from (package.json "productName"). */
export const PRODUCT_NAME = 'Engram';

/**
 * Electron's `app.getPath('userData')` for this app, computed without Electron: the OS app-data
 * folder (XDG_CONFIG_HOME or ~/.config on Linux, ~/Library/Application Support on macOS,
 * %APPDATA% on Windows) plus the product name.
 */
export function defaultDataDir(): string {
  switch (process.platform) {
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', PRODUCT_NAME);
    case 'win32':
      return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), PRODUCT_NAME);
    default:
      return join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), PRODUCT_NAME);
  }
}

/** The lab book to open: `--db PATH`, else ENGRAM_DB, else lab-book.sqlite in the data folder. */
export function labBookPath(explicit?: string): string {
  return explicit || process.env.ENGRAM_DB || join(defaultDataDir(), 'lab-book.sqlite');
}
