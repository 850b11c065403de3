// A small element builder, so that views read as the DOM they make (no framework). Text is always set
// as text, never parsed as HTML. Renderer process.

export type Child = Node | string | number | null | undefined | false;

export interface ElementProps {
  readonly className?: string;
  /** The `data-testid` hook end-to-end tests find elements by. */
  readonly testId?: string;
  readonly title?: string;
  readonly attrs?: Readonly<Record<string, string>>;
}

export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: ElementProps = {},
  children: readonly Child[] = [],
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.className) el.className = props.className;
  if (props.testId) el.dataset['testid'] = props.testId;
  if (props.title) el.title = props.title;
  for (const [name, value] of Object.entries(props.attrs ?? {})) el.setAttribute(name, value);
  el.append(...toNodes(children));
  return el;
}

/** Replaces all children of `el`. */
export function setChildren(el: Element, children: readonly Child[]): void {
  el.replaceChildren(...toNodes(children));
}

function toNodes(children: readonly Child[]): (Node | string)[] {
  const nodes: (Node | string)[] = [];
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    nodes.push(typeof c === 'number' ? String(c) : c);
  }
  return nodes;
}
