// Plotly's SVG turned into a figure file of a physical size with its font embedded.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { physicalSvg } from '../../../renderer/export/svg-document';

const plotlySvg = '<svg class="main-svg" xmlns="http://www.w3.org/2000/svg" width="336" height="229" style="" viewBox="0 0 336 229"><rect/></svg>';

describe('physicalSvg()', () => {
  it('sizes the document in millimetres, keeps its pixel viewBox, and embeds the fonts', () => {
    const out = physicalSvg(plotlySvg, 89, 60.5, [{ family: 'Inter', woff2Base64: 'AAAA', unicodeRange: 'U+0000-00FF' }]);
    assert.match(out, /^<svg class="main-svg" xmlns="http:\/\/www.w3.org\/2000\/svg" width="89mm" height="60.5mm" style="" viewBox="0 0 336 229">/);
    assert.match(out, /<style type="text\/css">@font-face\{font-family:'Inter';[^}]*src:url\(data:font\/woff2;base64,AAAA\) format\('woff2'\);unicode-range:U\+0000-00FF;\}<\/style><rect\/><\/svg>$/);
  });

  it('adds a viewBox from the pixel size when there is none', () => {
    const out = physicalSvg('<svg width="100" height="50"><g/></svg>', 30, 15, []);
    assert.equal(out, '<svg viewBox="0 0 100 50" width="30mm" height="15mm"><g/></svg>');
  });

  it('refuses text that is no SVG', () => {
    assert.throws(() => physicalSvg('<html></html>', 10, 10, []), /not an SVG document/);
  });
});
