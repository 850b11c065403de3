// The export page's entry: `window.engramExport.render(payload)` draws a comparison figure with the
// renderer's own figure code at its exact physical size in the bundled font, and returns its SVG (fonts
// embedded), its PNG at the asked DPI, and the CSV of what it plotted; for PDF it leaves the page showing
// only the figure, sized for the driver's print-to-PDF. Renderer process (headless Chromium or an
// offscreen Electron window).
// The figure font: Inter (SIL Open Font License 1.1) from @fontsource/inter, regular weight, Latin and
// Greek subsets, bundled so exported figures embed the same font on every machine.
import '@fontsource/inter/latin-400.css';
import '@fontsource/inter/greek-400.css';
import greekUrl from '@fontsource/inter/files/inter-greek-400-normal.woff2?url';
import latinUrl from '@fontsource/inter/files/inter-latin-400-normal.woff2?url';
import type { FigureExportEntry, FigurePayload, RenderedFigure } from '../../engine/api/figure';
import { comparisonFigure, figureCsv } from '../plots/comparison-figure';
import { comparisonPlotly } from '../plots/comparison-plotly';
import { withPngDpi } from './png-dpi';
import { physicalSvg, type EmbeddedFont } from './svg-document';

declare global {
  interface Window {
    engramExport?: FigureExportEntry;
  }
}

const FONT_FAMILY = 'Inter';
const FONTS = [
  {
    url: latinUrl,
    unicodeRange:
      'U+0000-00FF,U+0131,U+0152-0153,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+0304,U+0308,U+0329,U+2000-206F,U+20AC,U+2122,U+2191,U+2193,U+2212,U+2215,U+FEFF,U+FFFD',
  },
  { url: greekUrl, unicodeRange: 'U+0370-0377,U+037A-037F,U+0384-038A,U+038C,U+038E-03A1,U+03A3-03FF' },
];
/** CSS pixels per millimetre (96 to the inch). */
const PX_PER_MM = 96 / 25.4;

function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

async function embeddedFonts(): Promise<EmbeddedFont[]> {
  return Promise.all(
    FONTS.map(async (f) => ({
      family: FONT_FAMILY,
      woff2Base64: toBase64(new Uint8Array(await (await fetch(f.url)).arrayBuffer())),
      unicodeRange: f.unicodeRange,
    })),
  );
}

/** Leaves the page showing only `svg` at the page size, the way print-to-PDF will lay it out. */
function showForPrint(svg: string, widthMm: number, heightMm: number): void {
  const style = document.createElement('style');
  style.textContent =
    `@page { size: ${widthMm}mm ${heightMm}mm; margin: 0 }` +
    `html, body { margin: 0; padding: 0; width: ${widthMm}mm; height: ${heightMm}mm; overflow: hidden; background: #fff }` +
    `svg { display: block; width: ${widthMm}mm; height: ${heightMm}mm }`;
  document.head.append(style);
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  document.body.replaceChildren(document.importNode(doc.documentElement, true));
}

/**
 * The figure SVG (fonts embedded: an SVG drawn as an image sees no page fonts) drawn onto a canvas of
 * the physical size at `dpi`; the SVG is re-rasterised at that size, so text and lines stay sharp.
 */
async function rasterise(svg: string, size: FigurePayload['size']): Promise<Uint8Array> {
  const width = Math.round((size.widthMm / 25.4) * size.dpi);
  const height = Math.round((size.heightMm / 25.4) * size.dpi);
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2-D canvas to draw the PNG on');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, width, height);
    context.drawImage(image, 0, 0, width, height);
    const blob = await new Promise<Blob | null>((done) => canvas.toBlob(done, 'image/png'));
    if (!blob) throw new Error('the canvas gave no PNG');
    return new Uint8Array(await blob.arrayBuffer());
  } finally {
    URL.revokeObjectURL(url);
  }
}

async function render(payload: FigurePayload): Promise<RenderedFigure> {
  const { figure: request, size, runs, series } = payload;
  const figure = comparisonFigure(request, runs, series);
  const csv = figureCsv(figure, request, runs);
  await Promise.all([document.fonts.load(`12px ${FONT_FAMILY}`, 'x'), document.fonts.load(`12px ${FONT_FAMILY}`, 'σ')]);
  const widthPx = Math.round(size.widthMm * PX_PER_MM);
  const heightPx = Math.round(size.heightMm * PX_PER_MM);
  const plot = comparisonPlotly(figure, { kind: 'print', widthPx, heightPx, fontFamily: FONT_FAMILY });
  const host = document.getElementById('figure');
  if (!host) throw new Error('export.html has no #figure element');
  host.style.width = `${widthPx}px`;
  host.style.height = `${heightPx}px`;
  const { Plotly } = await import('../plots/plotly-bundle');
  await Plotly.newPlot(host, plot.data, plot.layout, plot.config);
  const plainSvg = await Plotly.toImage(host, { format: 'svg', width: widthPx, height: heightPx, imageDataOnly: true });
  const svg = physicalSvg(plainSvg, size.widthMm, size.heightMm, await embeddedFonts());
  const pngBase64 = size.format === 'png' ? toBase64(withPngDpi(await rasterise(svg, size), size.dpi)) : null;
  Plotly.purge(host);
  // The page already has the font, so the printed copy needs no embedded one (and the CSP refuses data: fonts).
  if (size.format === 'pdf') showForPrint(physicalSvg(plainSvg, size.widthMm, size.heightMm, []), size.widthMm, size.heightMm);
  return { svg, pngBase64, csv, widthPx, heightPx };
}

/** Notebook figures are drawn at twice their CSS size, so the PNG stays sharp on high-density screens. */
const NOTEBOOK_PNG_DPI = 192;

async function renderSpec(
  spec: { data: Record<string, unknown>[]; layout?: Record<string, unknown> },
  size: { widthPx: number; heightPx: number },
): Promise<string> {
  await Promise.all([document.fonts.load(`12px ${FONT_FAMILY}`, 'x'), document.fonts.load(`12px ${FONT_FAMILY}`, 'σ')]);
  const host = document.getElementById('figure');
  if (!host) throw new Error('export.html has no #figure element');
  const { Plotly } = await import('../plots/plotly-bundle');
  const layout = { ...spec.layout, width: size.widthPx, height: size.heightPx, font: { family: FONT_FAMILY }, paper_bgcolor: '#fff' };
  // WebGL traces come out as a raster inside the SVG (or blank without a GPU); draw them as SVG traces.
  const data = spec.data.map((trace) => (trace.type === 'scattergl' ? { ...trace, type: 'scatter' } : trace));
  await Plotly.newPlot(host, data, layout, { staticPlot: true });
  const plainSvg = await Plotly.toImage(host, { format: 'svg', width: size.widthPx, height: size.heightPx, imageDataOnly: true });
  Plotly.purge(host);
  // As for exported figures: the SVG carries its font, since an SVG drawn as an image sees no page fonts.
  const widthMm = size.widthPx / PX_PER_MM;
  const heightMm = size.heightPx / PX_PER_MM;
  const svg = physicalSvg(plainSvg, widthMm, heightMm, await embeddedFonts());
  return toBase64(await rasterise(svg, { format: 'png', widthMm, heightMm, dpi: NOTEBOOK_PNG_DPI }));
}

window.engramExport = { render, renderSpec };
