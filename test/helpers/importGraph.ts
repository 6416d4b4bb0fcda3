import fs from 'node:fs';
import path from 'node:path';

/**
 * The import graph of the repository's TypeScript sources: every relative `import`, `export
 * … from` and `import()` specifier, resolved to a file. Tests hold the layering rules against it.
 */
export interface ImportEdge {
  from: string;
  to: string;
  /** `import type` / `export type`: erased at run time */
  typeOnly: boolean;
}

const SPEC = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

export function sourceFiles(dir: string, o: { tests?: boolean } = {}): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'dist') walk(p);
      } else if (/\.(ts|js)$/.test(e.name) && !e.name.endsWith('.d.ts') && (o.tests || !e.name.endsWith('.test.ts'))) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

export function importsOf(file: string): ImportEdge[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: ImportEdge[] = [];
  for (const m of text.matchAll(SPEC)) {
    const spec = m[3] ?? m[4]!;
    if (!spec.startsWith('.')) continue;
    out.push({ from: file, to: path.resolve(path.dirname(file), spec), typeOnly: !!m[2] });
  }
  return out;
}

/** The folder directly under `root` that a file belongs to ('' for files at the root). */
export function layerOf(root: string, file: string): string {
  const rel = path.relative(root, file);
  return rel.includes(path.sep) ? rel.split(path.sep)[0]! : '';
}

/**
 * Edges that run against the order (lowest first): a file may import its own folder and any
 * folder listed before it, never one after it. An entry that is a list names siblings: folders
 * of the same rank that may not import each other. Files at the root (index.ts) may import all.
 */
export function upwardImports(root: string, edges: ImportEdge[], order: readonly (string | readonly string[])[]): string[] {
  const rank = (l: string) => order.findIndex((o) => (typeof o === 'string' ? o === l : o.includes(l)));
  const bad: string[] = [];
  for (const e of edges) {
    if (!e.to.startsWith(root + path.sep)) continue;
    const a = layerOf(root, e.from);
    const b = layerOf(root, e.to);
    if (a === '' || a === b) continue;
    if (rank(a) < 0 || rank(b) < 0) bad.push(`${path.relative(root, e.from)} -> ${path.relative(root, e.to)} (layer ${rank(a) < 0 ? a : b} is not in the order)`);
    else if (rank(b) > rank(a)) bad.push(`${path.relative(root, e.from)} (${a}) -> ${path.relative(root, e.to)} (${b})`);
    else if (rank(b) === rank(a)) bad.push(`${path.relative(root, e.from)} (${a}) -> ${path.relative(root, e.to)} (${b}, a sibling)`);
  }
  return bad;
}
