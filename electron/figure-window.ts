// A FigureRenderer for the Electron app: the renderer's export page in a hidden offscreen window of the
// app's own origin (same CSP and bundled font), drawn with the renderer's figure code and printed with
// Chromium's print-to-PDF at the figure's page size — the pipeline `engram export figure` runs in a
// system Chromium. Electron main process.
import { BrowserWindow } from 'electron';
import type { FigurePayload, RenderedFigure } from '../engine/api/figure';
import { FigureInputError, type FigureRenderer } from '../engine/lab/export/figure-export';

type Outcome = { figure: RenderedFigure } | { error: string; input: boolean };

/** `exportPageUrl`: the built export page, e.g. app://engram/export.html. */
export function electronFigureRenderer(exportPageUrl: string): FigureRenderer {
  return {
    async render(payload: FigurePayload) {
      const win = new BrowserWindow({
        show: false,
        webPreferences: { offscreen: true, contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true },
      });
      try {
        await win.loadURL(exportPageUrl);
        const outcome = (await win.webContents.executeJavaScript(
          `(async () => {
            try { return { figure: await window.engramExport.render(${JSON.stringify(payload)}) }; }
            catch (err) { return { error: String((err && err.message) || err), input: Boolean(err && err.name === 'FigureError') }; }
          })()`,
        )) as Outcome;
        if ('error' in outcome) {
          if (outcome.input) throw new FigureInputError(outcome.error);
          throw new Error(`the export page failed: ${outcome.error}`);
        }
        const { figure } = outcome;
        const { format, widthMm, heightMm } = payload.size;
        if (format === 'svg') return { bytes: new TextEncoder().encode(figure.svg), csv: figure.csv };
        if (format === 'png') {
          if (!figure.pngBase64) throw new Error('the export page drew no PNG');
          return { bytes: Buffer.from(figure.pngBase64, 'base64'), csv: figure.csv };
        }
        const pdf = await win.webContents.printToPDF({
          pageSize: { width: widthMm / 25.4, height: heightMm / 25.4 },
          margins: { top: 0, bottom: 0, left: 0, right: 0 },
          printBackground: true,
          preferCSSPageSize: true,
          pageRanges: '1',
        });
        return { bytes: new Uint8Array(pdf), csv: figure.csv };
      } finally {
        win.destroy();
      }
    },
  };
}
