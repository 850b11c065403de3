// `engram export figure` input handling: widths and presets, where the CSV goes, and bad input refused
// with exit code 2 and one line naming the option, the value and what is allowed (before any drawing).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { csvPathFor, parseWidthMm } from '../../../engine/cli/export-command';
import { engram } from '../../helpers/engram';
import { fillSampleLab } from '../../helpers/sample-runs';
import { tempDir } from '../../helpers/temp';

describe('parseWidthMm() and csvPathFor()', () => {
  it('reads millimetres and the column presets; puts the CSV beside the figure', () => {
    assert.equal(parseWidthMm('one-column'), 89);
    assert.equal(parseWidthMm('two-column'), 183);
    assert.equal(parseWidthMm('120.5'), 120.5);
    assert.throws(() => parseWidthMm('wide'), /export figure: field "--width-mm" got "wide"; allowed: a number/);
    assert.equal(csvPathFor('/tmp/fig.pdf'), '/tmp/fig.csv');
    assert.equal(csvPathFor('figure'), 'figure.csv');
  });
});

describe('engram export figure (bad input)', () => {
  const dir = tempDir();
  const db = join(dir, 'lab.sqlite');
  fillSampleLab(db);
  const run = (...args: string[]) => engram(['export', 'figure', '--db', db, '--runs', '1,2', '--metric', 'loss', ...args]);

  it('refuses a format it cannot write, and an --out that contradicts --format', () => {
    const tiff = run('--out', join(dir, 'f.tiff'));
    assert.equal(tiff.status, 2);
    assert.match(tiff.stderr, /^engram: export figure: field "--format" got undefined; allowed: pdf \| svg \| png \(or an --out file ending in one of them; got ".*f\.tiff"\)\n$/);
    const clash = run('--format', 'pdf', '--out', join(dir, 'f.svg'));
    assert.equal(clash.status, 2);
    assert.match(clash.stderr, /field "--out" got ".*f\.svg"; allowed: a file name ending in \.pdf \(--format pdf\)/);
  });

  it('refuses smoothing of 1 or more and a width outside the schema, naming the option', () => {
    const smooth = run('--smooth', '1.5', '--out', join(dir, 'f.pdf'));
    assert.equal(smooth.status, 2);
    assert.match(smooth.stderr, /field "--smooth" got 1\.5; allowed: .*0\.999/);
    const width = run('--width-mm', '5', '--out', join(dir, 'f.pdf'));
    assert.equal(width.status, 2);
    assert.match(width.stderr, /field "--width-mm" got 5; allowed: .*20/);
    const runs = engram(['export', 'figure', '--db', db, '--runs', '1,x', '--metric', 'loss', '--out', join(dir, 'f.pdf')]);
    assert.equal(runs.status, 2);
    assert.match(runs.stderr, /field "--runs" got "1,x"; allowed: comma-separated run ids/);
  });
});
