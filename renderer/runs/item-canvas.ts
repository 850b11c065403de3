// Draws one memory item (a query, an iterate, a retrieved pattern) as a small picture: a grey image
// for image tasks, black and white cells for bit patterns, a diverging colour row for other values.
// Renderer process.
import type { ItemLayout } from './snapshot-tensors';

/** Screen pixels per image pixel, and the height of a bit or value row. */
const IMAGE_ZOOM = 3;
const ROW_HEIGHT = 14;
const MAX_ROW_WIDTH = 480;

/** Blue for negative, white for zero, red for positive (RdBu), scaled by `absMax`. */
function diverging(v: number, absMax: number): [number, number, number] {
  const t = Math.max(-1, Math.min(1, absMax > 0 ? v / absMax : 0));
  const fade = (c: number) => Math.round(255 - (255 - c) * Math.abs(t));
  return t < 0 ? [fade(33), fade(102), fade(172)] : [fade(178), fade(24), fade(43)];
}

export function itemCanvas(values: ArrayLike<number>, layout: ItemLayout, testId: string): HTMLCanvasElement {
  const n = values.length;
  const [w, h] = layout.kind === 'image' ? [layout.width, layout.height] : [n, 1];
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  canvas.dataset['testid'] = testId;
  canvas.className = `item item-${layout.kind}`;
  if (layout.kind === 'image') {
    canvas.style.width = `${w * IMAGE_ZOOM}px`;
    canvas.style.height = `${h * IMAGE_ZOOM}px`;
  } else {
    canvas.style.width = `${Math.min(MAX_ROW_WIDTH, Math.max(n * 10, 64))}px`;
    canvas.style.height = `${ROW_HEIGHT}px`;
  }
  const context = canvas.getContext('2d');
  if (!context) return canvas;
  const image = context.createImageData(w, h);
  let lo = Infinity;
  let hi = -Infinity;
  let absMax = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    absMax = Math.max(absMax, Math.abs(v));
  }
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    let rgb: [number, number, number];
    if (layout.kind === 'image') {
      const g = Math.round(255 * (1 - (hi > lo ? (v - lo) / (hi - lo) : 0)));
      rgb = [g, g, g];
    } else if (layout.kind === 'bits') {
      rgb = v > 0 ? [20, 20, 20] : [245, 245, 245];
    } else {
      rgb = diverging(v, absMax);
    }
    image.data.set([...rgb, 255], i * 4);
  }
  context.putImageData(image, 0, 0);
  return canvas;
}
