// Encodes an image-grid output (grey bytes of several images, or ±1 bit rows) as one PNG, for .ipynb
// export where outputs must be self-contained pictures. Runs in the lab service process and the CLI.
import { PNG } from 'pngjs';
import type { CellOutput } from '../../api/notebook';

/** Gap between images in the grid, in pixels. */
const GAP = 2;
/** Bit patterns are tiny; each bit is drawn as a square of this many pixels. */
const BIT_SCALE = 4;

/** The grid as a base64 PNG: images left to right, wrapping at ~8 per row (bit rows stacked). */
export function imagesToPng(output: Extract<CellOutput, { type: 'images' }>): string {
  const pixels = Buffer.from(output.pixelsBase64, 'base64');
  const scale = output.kind === 'bits' ? BIT_SCALE : 1;
  const h = output.height * scale;
  const w = output.width * scale;
  const perRow = output.kind === 'bits' ? 1 : Math.min(8, Math.max(1, output.count));
  const rows = Math.max(1, Math.ceil(output.count / perRow));
  const png = new PNG({ width: perRow * (w + GAP) - GAP, height: rows * (h + GAP) - GAP, colorType: 6 });
  png.data.fill(255);
  for (let n = 0; n < output.count; n++) {
    const ox = (n % perRow) * (w + GAP);
    const oy = Math.floor(n / perRow) * (h + GAP);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = pixels[n * output.height * output.width + Math.floor(y / scale) * output.width + Math.floor(x / scale)] ?? 0;
        // Digits are light strokes on dark ground in the data; draw them dark on white as on paper.
        const grey = 255 - v;
        const at = ((oy + y) * png.width + ox + x) * 4;
        png.data[at] = grey;
        png.data[at + 1] = grey;
        png.data[at + 2] = grey;
        png.data[at + 3] = 255;
      }
    }
  }
  return PNG.sync.write(png).toString('base64');
}
