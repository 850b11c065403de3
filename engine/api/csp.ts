// The renderer's Content-Security-Policy, sent by browser mode and by the Electron app:// handler
// alike. Inline styles are allowed because monaco and plotly inject them (machine-probe.md §7);
// data: and blob: images because plotly's image export draws through them. No eval, no inline script.
export const RENDERER_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; worker-src 'self'; " +
  "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'";
