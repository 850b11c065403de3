// HTML from elsewhere, made safe to show: imported notebooks' text/html outputs and Markdown cells
// (rendered with marked) pass through DOMPurify, which drops scripts, event handlers, `javascript:`
// URLs, forms and frames; pictures load only from inline data, links open outside the app. Nothing in
// them executes (the CSP forbids inline script as well: Chromium reports each event handler it meets
// while parsing such HTML as a refused one in the console). Renderer process.
import DOMPurify from 'dompurify';
import { marked } from 'marked';

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
