// Makes plotly's SVG export a stand-alone figure file: its size in millimetres (the drawing keeps its
// pixel viewBox, so it scales exactly to the page), and the figure font embedded as @font-face data,
// so the file looks the same on a machine without that font. Pure string work. Renderer process.

export interface EmbeddedFont {
  readonly family: string;
  /** woff2 bytes, base64. */
  readonly woff2Base64: string;
  readonly unicodeRange: string;
}

const ROOT = /<svg\b[^>]*>/;

function attribute(tag: string, name: string): string | null {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1] ?? null;
}

function withAttribute(tag: string, name: string, value: string): string {
  const re = new RegExp(`(\\s${name}=)"[^"]*"`);
  return re.test(tag) ? tag.replace(re, `$1"${value}"`) : tag.replace(/^<svg\b/, `<svg ${name}="${value}"`);
}

/** `n` with at most three decimals and no trailing zeros, as SVG lengths are written. */
function short(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

export function physicalSvg(svg: string, widthMm: number, heightMm: number, fonts: readonly EmbeddedFont[]): string {
  const match = ROOT.exec(svg);
  if (!match) throw new Error('not an SVG document: no <svg> element');
  let tag = match[0];
  const widthPx = Number(attribute(tag, 'width'));
  const heightPx = Number(attribute(tag, 'height'));
  if (!attribute(tag, 'viewBox')) {
    if (!(widthPx > 0 && heightPx > 0)) throw new Error('the SVG has neither a viewBox nor a pixel width and height');
    tag = withAttribute(tag, 'viewBox', `0 0 ${short(widthPx)} ${short(heightPx)}`);
  }
  tag = withAttribute(withAttribute(tag, 'width', `${short(widthMm)}mm`), 'height', `${short(heightMm)}mm`);
  const faces = fonts
    // font-display: swap, because a rasterised SVG image does not wait for its fonts: with the default
    // (block) any text needing a face that is still loading, such as the Greek subset, would vanish.
    .map((f) => `@font-face{font-family:'${f.family}';font-style:normal;font-weight:400;font-display:swap;src:url(data:font/woff2;base64,${f.woff2Base64}) format('woff2');unicode-range:${f.unicodeRange};}`)
    .join('');
  const style = faces ? `<style type="text/css">${faces}</style>` : '';
  const start = match.index;
  return `${svg.slice(0, start)}${tag}${style}${svg.slice(start + match[0].length)}`;
}
