// A FigureRenderer that drives the system's Chromium (never a downloaded browser) with playwright-core:
// it opens the built renderer's export page, served to the browser from disk by request interception
// (no port is opened), has it draw the figure with the renderer's figure code, and prints PDFs with
// Chromium's own print-to-PDF at the exact page size. Runs in the CLI or the lab service process.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import type { FigureExportEntry, FigurePayload, RenderedFigure } from '../../api/figure';
import { RENDERER_CSP } from '../../api/csp';
import type { FigureToPng } from '../notebooks/ipynb';
import { FigureInputError, type FigureRenderer } from './figure-export';

/** The Chromium found when CHROMIUM_PATH does not name one (Debian's package). */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** The flags every headless Chromium of the project runs with: no sandbox in containers, no network chatter. */
export const HEADLESS_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** A made-up origin the page is served under; requests to it never leave the browser. */
const ORIGIN = 'http://engram-export.localhost';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.json': 'application/json',
};

export interface ChromiumFigureRendererOptions {
  /** The built renderer (dist/renderer), which holds export.html. */
  readonly rendererDir: string;
  /** Default: CHROMIUM_PATH, else /usr/bin/chromium. */
  readonly executablePath?: string;
}

/** The Chromium to use, or why there is none. */
export function findChromium(explicit?: string): { path: string } | { problem: string } {
  const path = explicit ?? (process.env['CHROMIUM_PATH'] || DEFAULT_CHROMIUM);
  if (existsSync(path)) return { path };
  return {
    problem: `figure export draws in a headless Chromium, and ${path} does not exist: install Debian's chromium package or set CHROMIUM_PATH to a Chromium or Chrome binary`,
  };
}

/**
 * Opens the built renderer's export page in a fresh headless Chromium, runs `use` on it, and closes
 * the browser whatever happens.
 */
async function withExportPage<T>(options: ChromiumFigureRendererOptions, use: (page: Page, pageErrors: string[]) => Promise<T>): Promise<T> {
  const found = findChromium(options.executablePath);
  if ('problem' in found) throw new Error(found.problem);
  if (!existsSync(join(options.rendererDir, 'export.html'))) {
    throw new Error(`the renderer is not built (${join(options.rendererDir, 'export.html')} is missing): run npm run build`);
  }
  const browser = await chromium.launch({ executablePath: found.path, headless: true, args: HEADLESS_ARGS });
  try {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.route(`${ORIGIN}/**`, async (route) => {
      const file = resolveInside(options.rendererDir, new URL(route.request().url()).pathname);
      if (!file) return route.fulfill({ status: 404, body: 'Not found' });
      try {
        const body = await readFile(file);
        return route.fulfill({
          status: 200,
          body,
          headers: { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream', 'Content-Security-Policy': RENDERER_CSP },
        });
      } catch {
        return route.fulfill({ status: 404, body: 'Not found' });
      }
    });
    await page.goto(`${ORIGIN}/export.html`);
    return await use(page, pageErrors);
  } finally {
    await browser.close();
  }
}

export function chromiumFigureRenderer(options: ChromiumFigureRendererOptions): FigureRenderer {
  return {
    render: (payload) =>
      withExportPage(options, async (page, pageErrors) => {
        const outcome = await page.evaluate(
          async (p) => {
            const entry = (globalThis as unknown as { engramExport?: FigureExportEntry }).engramExport;
            if (!entry) return { error: 'the export page did not load its figure code' };
            try {
              return { figure: await entry.render(p) };
            } catch (err) {
              return { error: err instanceof Error ? err.message : String(err), input: err instanceof Error && err.name === 'FigureError' };
            }
          },
          payload as FigurePayload,
        );
        if ('error' in outcome) {
          if ('input' in outcome && outcome.input) throw new FigureInputError(outcome.error);
          throw new Error(`the export page failed: ${outcome.error}${pageErrors.length ? ` (${pageErrors.join('; ')})` : ''}`);
        }
        return { bytes: await fileBytes(page, payload, outcome.figure), csv: outcome.figure.csv };
      }),
  };
}

/** Pixel size of notebook figures in an exported .ipynb (a typical notebook output width). */
const NOTEBOOK_FIGURE_PX = { widthPx: 720, heightPx: 420 };

/**
 * Draws notebook figures (plotly specs) to PNG for .ipynb export through the same export page. One
 * browser serves every figure of an export; the caller closes it. Without a Chromium or a built
 * renderer, figures get no PNG (their plotly JSON is still exported) and `onUnavailable` hears why.
 */
export function chromiumSpecRenderer(
  options: ChromiumFigureRendererOptions & { onUnavailable?: (reason: string) => void },
): { toPng: FigureToPng; close(): Promise<void> } {
  let unavailable = false;
  let session: Promise<{ page: Page; done: () => void; closed: Promise<unknown> }> | null = null;
  const open = () => {
    session ??= new Promise((resolveSession, rejectSession) => {
      let done!: () => void;
      const finished = new Promise<void>((r) => (done = r));
      const closed = withExportPage(options, async (page) => {
        resolveSession({ page, done, closed });
        await finished;
      }).catch(rejectSession);
    });
    return session;
  };
  return {
    async toPng(spec) {
      if (unavailable) return null;
      let page: Page;
      try {
        ({ page } = await open());
      } catch (err) {
        unavailable = true;
        options.onUnavailable?.(err instanceof Error ? err.message : String(err));
        return null;
      }
      return page.evaluate(
        async ({ s, size }) => (globalThis as unknown as { engramExport: FigureExportEntry }).engramExport.renderSpec(s, size),
        { s: spec, size: NOTEBOOK_FIGURE_PX },
      );
    },
    async close() {
      if (!session || unavailable) return;
      const { done, closed } = await session;
      done();
      await closed;
    },
  };
}

async function fileBytes(page: Page, payload: FigurePayload, figure: RenderedFigure): Promise<Uint8Array> {
  const { format, widthMm, heightMm } = payload.size;
  if (format === 'svg') return new TextEncoder().encode(figure.svg);
  if (format === 'png') {
    if (!figure.pngBase64) throw new Error('the export page drew no PNG');
    return Buffer.from(figure.pngBase64, 'base64');
  }
  // The page shows the figure's SVG alone at its physical size; its @page rule has the same size.
  return page.pdf({
    width: `${widthMm}mm`,
    height: `${heightMm}mm`,
    margin: { top: '0', right: '0', bottom: '0', left: '0' },
    printBackground: true,
    preferCSSPageSize: true,
    pageRanges: '1',
  });
}

/** A URL path as a file inside `root`, or null for anything that would escape it. */
export function resolveInside(root: string, urlPath: string): string | null {
  const full = normalize(join(root, decodeURIComponent(urlPath)));
  return full.startsWith(root.endsWith(sep) ? root : root + sep) ? full : null;
}
