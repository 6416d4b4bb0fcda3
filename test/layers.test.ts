import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf, sourceFiles, upwardImports, type ImportEdge } from './helpers/importGraph.ts';

/**
 * The layering DESIGN.md draws, held as a test: inside conformance/src each folder imports only
 * the folders below it; server/ and runner/ reach the library only through its index.ts;
 * client/ talks HTTP and shares nothing with the server but the schema types.
 */
const ROOT = path.resolve('conformance/src');
// emulation (the software key) and checks (judging) are siblings: neither knows the other; the
// drivers in run/ bring a key and the catalogue together
export const LAYERS = ['errors', 'runtime', 'encoding', 'terminal', 'cbor', 'asn1', 'findings', 'testing', 'pki', 'webauthn', 'mds', 'attestation', 'ctap', 'platform', ['emulation', 'checks'], 'run', 'report', 'cli'] as const;
const INDEX = path.join(ROOT, 'index.ts');
const edges = (dir: string) => sourceFiles(path.resolve(dir)).flatMap(importsOf);

describe('import direction', () => {
  it('inside conformance/src no import runs up a layer', () => {
    expect(upwardImports(ROOT, edges('conformance/src'), LAYERS)).toEqual([]);
  });

  it('the rule itself catches a lower layer importing a higher one', () => {
    const e = (from: string, to: string): ImportEdge => ({ from: path.join(ROOT, from), to: path.join(ROOT, to), typeOnly: false });
    expect(upwardImports(ROOT, [e('pki/a.ts', 'checks/b.ts'), e('checks/b.ts', 'pki/a.ts'), e('index.ts', 'cli/main.ts')], LAYERS)).toEqual(['pki/a.ts (pki) -> checks/b.ts (checks)']);
    expect(upwardImports(ROOT, [e('nowhere/a.ts', 'pki/a.ts')], LAYERS)[0]).toMatch(/not in the order/);
    expect(upwardImports(ROOT, [e('checks/a.ts', 'emulation/b.ts'), e('emulation/b.ts', 'checks/a.ts'), e('run/c.ts', 'checks/a.ts')], LAYERS)).toEqual(['checks/a.ts (checks) -> emulation/b.ts (emulation, a sibling)', 'emulation/b.ts (emulation) -> checks/a.ts (checks, a sibling)']);
  });

  for (const dir of ['server/src', 'runner', 'bin']) {
    it(`${dir} reaches the library only through conformance/src/index.ts`, () => {
      const deep = edges(dir).filter((x) => x.to.startsWith(ROOT + path.sep) && x.to !== INDEX).map((x) => `${path.relative('.', x.from)} -> ${path.relative('.', x.to)}`);
      expect(deep).toEqual([]);
    });
  }

  it('the library imports nothing from server/, runner/ or client/', () => {
    const out = edges('conformance/src').filter((x) => !x.to.startsWith(path.resolve('conformance'))).map((x) => `${path.relative('.', x.from)} -> ${path.relative('.', x.to)}`);
    expect(out).toEqual([]);
  });

  it('the page imports only its own files and, type-only, the shared API schemas', () => {
    const client = path.resolve('client');
    const schemas = path.resolve('server/src/schemas');
    const out = edges('client/src').filter((x) => !x.to.startsWith(client) && !(x.to.startsWith(schemas) && x.typeOnly)).map((x) => `${path.relative('.', x.from)} -> ${path.relative('.', x.to)}`);
    expect(out).toEqual([]);
  });
});
