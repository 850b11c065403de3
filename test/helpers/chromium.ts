// What every end-to-end test needs of Debian's Chromium: where it is, the reason to skip without it,
// the project's headless flags, and a poll that waits from Node (the app's CSP forbids the page-side
// eval that playwright's waitForFunction uses).
import { existsSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { DEFAULT_CHROMIUM, HEADLESS_ARGS } from '../../engine/lab/export/chromium-figure-renderer';

export const CHROMIUM = DEFAULT_CHROMIUM;
export { HEADLESS_ARGS };

/** false where Chromium is installed, else why the browser tests skip. */
export const chromiumMissing: string | false = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is missing: install Debian's chromium package (playwright-core must not download a browser)`;

/** Polls `read` every 100 ms until `ok` holds; after `boundMs` fails naming `what` and the last value. */
export async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, boundMs: number): Promise<T> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${boundMs} ms; last: ${JSON.stringify(value).slice(0, 400)}`);
    await delay(100);
  }
}
