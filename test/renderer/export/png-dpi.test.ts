// Writing a PNG's physical resolution.
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { crc32, pngSize, withPngDpi } from '../../../renderer/export/png-dpi';

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A 3 × 2 grey PNG, optionally with a pHYs chunk already. */
function png(phys?: number): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(3, 0);
  ihdr.writeUInt32BE(2, 4);
  ihdr[8] = 8; // bit depth
  const parts = [Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr)];
  if (phys) {
    const p = Buffer.alloc(9);
    p.writeUInt32BE(phys, 0);
    p.writeUInt32BE(phys, 4);
    p[8] = 1;
    parts.push(chunk('pHYs', p));
  }
  parts.push(chunk('IDAT', deflateSync(Buffer.alloc(2 * 4))), chunk('IEND', new Uint8Array()));
  return new Uint8Array(Buffer.concat(parts));
}

function physOf(bytes: Uint8Array): number[] {
  const b = Buffer.from(bytes);
  const found: number[] = [];
  for (let at = b.indexOf('pHYs'); at >= 0; at = b.indexOf('pHYs', at + 1)) found.push(b.readUInt32BE(at + 4));
  return found;
}

describe('crc32()', () => {
  it('matches the standard check value', () => {
    assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  });
});

describe('withPngDpi()', () => {
  it('adds one pHYs chunk after IHDR in pixels per metre, replacing any earlier one', () => {
    const out = withPngDpi(png(2835), 300);
    assert.deepEqual(physOf(out), [11811]);
    assert.deepEqual(pngSize(out), { width: 3, height: 2 });
    const b = Buffer.from(out);
    // Signature (8 bytes), then IHDR (25), then the new chunk's length (4) and type.
    assert.equal(b.toString('latin1', 8 + 25 + 4, 8 + 25 + 8), 'pHYs', 'pHYs follows IHDR');
    const at = b.indexOf('pHYs');
    assert.equal(b.readUInt32BE(at + 13), crc32(out.subarray(at, at + 13)));
  });

  it('refuses bytes that are not a PNG', () => {
    assert.throws(() => withPngDpi(new Uint8Array(30), 300), /not a PNG file/);
  });
});
