// Untrusted HTML made safe to show (imported text/html outputs, Markdown cells via marked): DOMPurify
// drops scripts, handlers, `javascript:` URLs, forms and frames; pictures load only from data: URLs and
// links open outside the app. Renderer process.
import DOMPurify from 'dompurify';
import { marked } from 'marked';

// Nothing in it executes; the CSP forbids inline script too (Chromium's parser reports each inline
// handler it meets in such HTML as refused, in the console, before DOMPurify removes it).
const FORBID_TAGS = ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'frame', 'object', 'embed', 'base', 'meta', 'link'];

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A' && node.hasAttribute('href')) {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
  // Pictures come inline (data: URLs); a URL would have the app fetch whatever the HTML's author chose.
  if (node.hasAttribute('src') && !/^data:image\//i.test(node.getAttribute('src') ?? '')) node.removeAttribute('src');
});

/** Untrusted HTML as sanitised nodes. */
export function safeHtml(html: string): DocumentFragment {
  return DOMPurify.sanitize(html, { RETURN_DOM_FRAGMENT: true, FORBID_TAGS, FORBID_ATTR: ['srcset'] });
}

/** A Markdown cell's source as sanitised nodes (GitHub-flavoured Markdown; raw HTML in it is sanitised too). */
export function safeMarkdown(source: string): DocumentFragment {
  return safeHtml(marked.parse(source, { async: false, gfm: true }));
}
