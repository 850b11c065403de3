// The IDX loader on small files written to a temporary folder: plain and gzip, labels found beside
// the images, and errors that name the path.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { labelsPathFor, loadIdx, parseIdx } from '../../../../engine/tasks/datasets/idx';
import { idxBytes } from '../../../helpers/image-files';
import { expectClose } from '../../../helpers/tensors';

describe('idx', () => {
  const dir = mkdtempSync(join(tmpdir(), 'engram-idx-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // 3 images of 2×5 pixels with distinct bytes, and their labels.
  const pixels = Array.from({ length: 3 * 2 * 5 }, (_, i) => (i * 37) % 256);
  const labels = [2, 0, 1];

  it('loads images scaled to [0, 1] with the labels file beside them', () => {
    const images = join(dir, 'train-images-idx3-ubyte');
    writeFileSync(images, idxBytes([3, 2, 5], pixels));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idxBytes([3], labels));
    assert.equal(labelsPathFor(images), join(dir, 'train-labels-idx1-ubyte'));
    const ds = loadIdx(images);
    assert.deepEqual([ds.count, ds.height, ds.width, ds.classes], [3, 2, 5, 3]);
    assert.deepEqual(Array.from(ds.labels), labels);
    expectClose(ds.pixels, pixels.map((v) => v / 255), 1e-7, 'pixels');
  });

  it('reads gzip-compressed files, and gives class 0 to every image without labels', () => {
    const images = join(dir, 'fashion.gz');
    writeFileSync(images, gzipSync(idxBytes([3, 2, 5], pixels)));
    const ds = loadIdx(images);
    assert.deepEqual([ds.count, ds.classes], [3, 1]);
    assert.deepEqual(Array.from(ds.labels), [0, 0, 0]);
    expectClose(ds.pixels, pixels.map((v) => v / 255), 1e-7, 'pixels');
  });

  it('names the path and the problem for bad files', () => {
    assert.throws(() => loadIdx(join(dir, 'missing-images-idx3-ubyte')), /missing-images-idx3-ubyte: no such file/);
    assert.throws(() => loadIdx(dir), /is a folder/);
    assert.throws(() => parseIdx(new Uint8Array([1, 2, 3, 4, 5]), 'x.idx'), /x\.idx: is not an IDX file/);
    assert.throws(() => parseIdx(idxBytes([3, 2, 5], pixels.slice(0, 10)), 'short.idx'), /short\.idx: declares dimensions \[3, 2, 5\] \(30 bytes\) but holds 10/);
    assert.throws(() => parseIdx(new Uint8Array([0x1f, 0x8b, 0, 0]), 'bad.gz'), /bad\.gz: looks gzip-compressed/);
    const labelsWrong = join(dir, 'l-images-idx3-ubyte');
    writeFileSync(labelsWrong, idxBytes([3, 2, 5], pixels));
    writeFileSync(join(dir, 'l-labels-idx1-ubyte'), idxBytes([2], [0, 1]));
    assert.throws(() => loadIdx(labelsWrong), /l-labels-idx1-ubyte: holds labels of shape \[2\], the images need \[3\]/);
  });
});
