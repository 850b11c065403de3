// The renderer's source hash must equal the lab service's, byte for byte, or every restored output
// would be marked stale (or none would).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { sourceHash as serviceSourceHash } from '../../../engine/lab/notebooks/notebook-manager';
import { sha256Hex, sourceHash } from '../../../renderer/notebook/source-hash';

describe('sourceHash', () => {
  it('matches SHA-256 at every padding boundary (lengths 0 to 130)', () => {
    for (let n = 0; n <= 130; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 255);
      assert.equal(sha256Hex(bytes), createHash('sha256').update(bytes).digest('hex'), `length ${n}`);
    }
  });

  it("equals the service's hash for cell sources, including non-ASCII text", () => {
    const sources = ['', 'const x = 1;', "lab.table([{ σ: 0.5, 'Δ': '→' }]) // ünïcødé 🧠", 'a\r\nb\n'.repeat(300)];
    for (const source of sources) assert.equal(sourceHash(source), serviceSourceHash(source));
  });
});
