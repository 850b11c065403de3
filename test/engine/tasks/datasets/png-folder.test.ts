// The PNG-folder loader on Omniglot-layout folders of PNGs made with pngjs in a temporary folder,
// and area resizing against hand-computed means.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { loadPngFolder, resizeArea } from '../../../../engine/tasks/datasets/png-folder';
import { expectClose } from '../../../helpers/tensors';

/** Writes a greyscale image (values 0…255, row-major) as an RGBA PNG. */
function writePng(path: string, width: number, height: number, grey: number[]): void {
  const png = new PNG({ width, height });
  grey.forEach((v, i) => png.data.set([v, v, v, 255], 4 * i));
  writeFileSync(path, PNG.sync.write(png));
}

describe('png-folder', () => {
  const root = mkdtempSync(join(tmpdir(), 'engram-png-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const w = 3;
  const h = 2;
  const images = [
    ['alpha/char-b', [0, 255, 255, 255, 0, 255]],
    ['alpha/char-b', [255, 255, 255, 0, 0, 0]],
    ['alpha/char-a', [51, 102, 153, 204, 255, 0]],
    ['beta/char-z', [255, 0, 255, 0, 255, 0]],
  ] as const;
  images.forEach(([dir, grey], i) => {
    mkdirSync(join(root, 'set', dir), { recursive: true });
    writePng(join(root, 'set', dir, `${i}.png`), w, h, [...grey]);
  });

  it('labels characters in sorted order and makes dark ink 1', () => {
    const ds = loadPngFolder(join(root, 'set'));
    assert.deepEqual([ds.count, ds.height, ds.width, ds.classes], [4, h, w, 3]);
    // Sorted: alpha/char-a (label 0), alpha/char-b (label 1, two images), beta/char-z (label 2).
    assert.deepEqual(Array.from(ds.labels), [0, 1, 1, 2]);
    expectClose(ds.pixels.subarray(0, 6), [51, 102, 153, 204, 255, 0].map((v) => 1 - v / 255), 1e-6, 'char-a ink');
    const light = loadPngFolder(join(root, 'set'), { ink: 'light' });
    expectClose(light.pixels.subarray(0, 6), [51, 102, 153, 204, 255, 0].map((v) => v / 255), 1e-6, 'char-a, light ink');
  });

  it('resizes to a given size by area averaging', () => {
    // 2×4 → 1×2: each output pixel is the mean of a 2×2 block.
    expectClose(resizeArea(Float32Array.from([1, 0, 0, 0, 1, 0, 1, 1]), 2, 4, 1, 2), [0.5, 0.5], 1e-6, '2×4 → 1×2');
    // 3 → 2 along one axis: output 0 covers input 0 and half of input 1.
    expectClose(resizeArea(Float32Array.from([3, 0, 6]), 1, 3, 1, 2), [2, 4], 1e-6, '1×3 → 1×2');
    const ds = loadPngFolder(join(root, 'set'), { size: { height: 1, width: 1 } });
    assert.deepEqual([ds.height, ds.width], [1, 1]);
    expectClose([ds.pixels[0]!], [[51, 102, 153, 204, 255, 0].reduce((s, v) => s + 1 - v / 255, 0) / 6], 1e-6, 'mean ink');
  });

  it('names the path for missing folders, empty folders, unreadable PNGs and mixed sizes', () => {
    assert.throws(() => loadPngFolder(join(root, 'nowhere')), /nowhere: no such folder/);
    mkdirSync(join(root, 'empty', 'a', 'b'), { recursive: true });
    assert.throws(() => loadPngFolder(join(root, 'empty')), /empty: holds no PNG images/);
    mkdirSync(join(root, 'broken', 'a', 'b'), { recursive: true });
    writeFileSync(join(root, 'broken', 'a', 'b', 'x.png'), 'not a png');
    assert.throws(() => loadPngFolder(join(root, 'broken')), /x\.png: is not a readable PNG/);
    mkdirSync(join(root, 'mixed', 'a', 'b'), { recursive: true });
    writePng(join(root, 'mixed', 'a', 'b', '0.png'), 2, 2, [0, 0, 0, 0]);
    writePng(join(root, 'mixed', 'a', 'b', '1.png'), 3, 2, [0, 0, 0, 0, 0, 0]);
    assert.throws(() => loadPngFolder(join(root, 'mixed')), /1\.png: is 3×2, the first image 2×2/);
  });
});
