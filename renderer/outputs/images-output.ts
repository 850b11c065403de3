// An image-grid output (`lab.images`): grey images, or ±1 bit patterns drawn as black and white rows,
// each on a canvas scaled up without smoothing, with its label under it. Renderer process.
import type { CellOutput } from '../../engine/api/notebook';
import { element } from '../dom/element';

type ImagesOutput = Extract<CellOutput, { type: 'images' }>;

/** The drawn size of one image: whole-pixel scaling to about this width, bit rows at least this tall. */
const TARGET_WIDTH_PX = 96;
const MIN_ROW_HEIGHT_PX = 10;
const MAX_SCALE = 8;

export function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** CSS size of one image: whole-pixel scaling, thin bit rows stretched to stay visible. */
export function displaySize(output: Pick<ImagesOutput, 'height' | 'width' | 'kind'>): { width: number; height: number } {
  const scale = Math.max(1, Math.min(MAX_SCALE, Math.round(TARGET_WIDTH_PX / Math.max(output.width, output.height))));
  const width = output.width * scale;
  const height = output.kind === 'bits' ? Math.max(MIN_ROW_HEIGHT_PX, output.height * scale) : output.height * scale;
  return { width, height };
}

export function renderImages(output: ImagesOutput): HTMLElement {
  const bytes = decodeBase64(output.pixelsBase64);
  const size = output.height * output.width;
  const shown = displaySize(output);
  const tiles: HTMLElement[] = [];
  for (let i = 0; i < output.count; i++) {
    const canvas = element('canvas', { attrs: { width: String(output.width), height: String(output.height) } });
    canvas.style.width = `${shown.width}px`;
    canvas.style.height = `${shown.height}px`;
    const context = canvas.getContext('2d');
    if (context) {
      const image = context.createImageData(output.width, output.height);
      for (let p = 0; p < size; p++) {
        const grey = bytes[i * size + p] ?? 0;
        image.data.set([grey, grey, grey, 255], p * 4);
      }
      context.putImageData(image, 0, 0);
    }
    const label = output.labels?.[i];
    tiles.push(element('figure', { className: 'image-tile' }, [canvas, label !== undefined ? element('figcaption', {}, [label]) : null]));
  }
  return element('div', { className: `output-images output-images-${output.kind}`, testId: 'output-images' }, [
    output.title ? element('div', { className: 'output-caption' }, [output.title]) : null,
    element('div', { className: 'image-grid' }, tiles),
  ]);
}
