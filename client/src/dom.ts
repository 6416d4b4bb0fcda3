/**
 * Tiny DOM helpers. Everything from a response or metadata goes in as text nodes: nothing is
 * ever assigned to innerHTML, so hostile strings render as the characters they are.
 */
type Child = Node | string | number | boolean | null | undefined;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : String(c));
  return e;
}

export function $(id: string): HTMLElement {
  const e = document.getElementById(id);
  if (!e) throw new Error(`page element #${id} missing`);
  return e;
}

export function input(id: string): HTMLInputElement {
  return $(id) as HTMLInputElement;
}

export function select(id: string): HTMLSelectElement {
  return $(id) as HTMLSelectElement;
}

/** A two-column table from [label, value] rows; values are text or nodes. */
export function table(rows: [string, Child][], testid?: string): HTMLTableElement {
  const t = el('table', testid ? { 'data-testid': testid } : {});
  for (const [k, v] of rows) {
    if (v === undefined) continue;
    t.append(el('tr', {}, el('th', {}, k), el('td', {}, typeof v === 'string' && v.length > 40 ? el('code', {}, v) : v)));
  }
  return t;
}

/**
 * A status line: its kind (a CSS class and data-kind) and text. An outcome (ok, error) is brought
 * into view, as little as needed, since the person pressed a button elsewhere on the page and the
 * answer must not land out of sight; the focus stays where it was (aria-live reads it out).
 */
export function showStatus(id: string, kind: string, text: string): void {
  const s = $(id);
  s.className = `status ${kind}`;
  s.dataset.kind = kind;
  s.textContent = text;
  if (kind === 'ok' || kind === 'error') s.scrollIntoView({ block: 'nearest', behavior: 'instant' as ScrollBehavior });
}
