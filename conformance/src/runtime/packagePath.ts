import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * The folder of fido2-harness's own package.json: where the shipped data lives (trust
 * material, the built page, example profiles), whether this code runs from the repository's
 * TypeScript sources or from the compiled copy in dist/ inside a consumer's node_modules.
 */
export function packageRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        if ((JSON.parse(fs.readFileSync(pj, 'utf8')) as { name?: string }).name === 'fido2-harness') return (root = dir);
      } catch {
        // not ours: keep walking up
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error('fido2-harness: cannot find its own package.json above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** A file shipped with the package, e.g. packagePath('conformance/trust/globalsign-root-ca-r3.der'). */
export function packagePath(...parts: string[]): string {
  return path.join(packageRoot(), ...parts);
}

/** The package's version (fido2-harness --version, reports). */
export function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
}
