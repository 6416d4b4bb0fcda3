import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestMdsSigner, compliantEntry } from '../conformance/src/mds/TestMdsSigner.ts';
import { loadMetadataBlob, type MetadataEntry } from '../conformance/src/mds/MetadataBlob.ts';
import { blobMetadata } from '../conformance/src/mds/MetadataProvider.ts';
import { loadPackedBlob, packedBlobMetadata, scanPayload } from '../conformance/src/mds/packedBlob.ts';
import { openMetadataInWorker } from '../conformance/src/mds/openMetadataInWorker.ts';
import { builtinAnchors } from '../conformance/src/pki/TrustAnchors.ts';
import { HarnessError } from '../conformance/src/errors/HarnessError.ts';
import { seededRandom } from '../conformance/src/testing/seededRandom.ts';
import { CORPUS, hasCorpus } from './helpers/corpus.ts';
import { startTestServer, type TestServer } from './helpers/testServer.ts';

/**
 * The server loads MDS BLOBs in a worker and keeps them packed (issue 23 item 5): the packed
 * loader must say exactly what loadMetadataBlob says, on our BLOBs, on FIDO's real ones and on
 * hostile payloads, and the server must answer while a large BLOB loads.
 */
let signer: TestMdsSigner;
let roots: crypto.X509Certificate[];
let s: TestServer | undefined;
const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-packed-'));
  dirs.push(d);
  return d;
};
beforeAll(async () => {
  signer = await TestMdsSigner.create();
  roots = [new crypto.X509Certificate(signer.rootDer)];
});
afterEach(async () => {
  await s?.close();
  s = undefined;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const aaguid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** entries that stress the scanner: quotes, brackets and escapes inside strings, non-ASCII, a later duplicate, key identifiers and an AAID */
function awkwardEntries(): MetadataEntry[] {
  const a = compliantEntry(aaguid(1), signer.rootPem, 'Key "one" {with} [brackets] \\ and \u00e9\u4e2d\ud83d\udd11');
  const b = compliantEntry(aaguid(2), signer.rootPem, 'Key two');
  const dup = compliantEntry(aaguid(1).toUpperCase(), signer.rootPem, 'Key one, later entry');
  const u2f = { attestationCertificateKeyIdentifiers: ['ABCDEF0123456789abcdef0123456789abcdef01'], statusReports: [{ status: 'FIDO_CERTIFIED', effectiveDate: '2020-01-01' }], timeOfLastStatusChange: '2020-01-01' } as MetadataEntry;
  const uaf = { aaid: '4E4E#4005', statusReports: [], timeOfLastStatusChange: '2020-01-01' } as unknown as MetadataEntry;
  // wrong-typed members index nothing and never throw
  const odd = { aaguid: 5, attestationCertificateKeyIdentifiers: 'x', statusReports: [] } as unknown as MetadataEntry;
  return [a, b, dup, u2f, uaf, odd, null as unknown as MetadataEntry];
}

describe('the packed BLOB says what the whole BLOB says', () => {
  it('on a BLOB with awkward entries: every look-up, every finding, the entry list', async () => {
    const jwt = await signer.blob({ no: 9, nextUpdate: '2099-01-01', entries: awkwardEntries() });
    const whole = loadMetadataBlob(jwt, roots);
    const packed = loadPackedBlob(jwt, roots);
    expect(packed.findings).toEqual(whole.findings);
    expect(packed.verified).toBe(true);
    expect([packed.no, packed.nextUpdate, packed.legalHeader]).toEqual([whole.no, whole.nextUpdate, whole.legalHeader]);
    const a = blobMetadata(whole);
    const b = packedBlobMetadata(packed);
    for (const id of [aaguid(1), aaguid(1).toUpperCase(), aaguid(2), aaguid(3)]) expect(b.byAaguid(id)).toEqual(a.byAaguid(id));
    expect(b.byAaguid(aaguid(1))!.metadataStatement!.description).toBe('Key one, later entry');
    expect(b.byKeyIdentifier('abcdef0123456789ABCDEF0123456789ABCDEF01')).toEqual(a.byKeyIdentifier('abcdef0123456789abcdef0123456789abcdef01'));
    expect(b.byAaid('4e4e#4005')).toEqual(a.byAaid('4E4E#4005'));
    expect(b.entries()).toEqual(a.entries());
    // one object per entry: asked twice, the same object (origins are keyed by it)
    expect(b.byAaguid(aaguid(2))).toBe(b.byAaguid(aaguid(2)));
  });

  it('a badly signed or broken-chain BLOB fails the same checks', async () => {
    for (const o of [{ badSignature: true }, { brokenChain: true }]) {
      const jwt = await signer.blob({ no: 3, nextUpdate: '2099-01-01', entries: [compliantEntry(aaguid(7), signer.rootPem)], ...o });
      const packed = loadPackedBlob(jwt, roots);
      expect(packed.verified).toBe(false);
      expect(packed.findings).toEqual(loadMetadataBlob(jwt, roots).findings);
    }
  });

  it.skipIf(!hasCorpus)('on FIDO\'s production BLOBs in ../shared/corpus: every AAGUID and key identifier finds the same entry', () => {
    for (const name of ['fido-mds3-prod-no121.jwt', 'fido-mds3-prod-no23.jwt']) {
      const file = path.join(CORPUS, 'mds', name);
      if (!fs.existsSync(file)) continue;
      const jwt = fs.readFileSync(file, 'utf8');
      const at = new Date('2026-11-23T00:00:00Z');
      const whole = loadMetadataBlob(jwt, builtinAnchors('mds'), { at });
      const packed = loadPackedBlob(jwt, builtinAnchors('mds'), { at });
      expect(packed.findings).toEqual(whole.findings);
      const a = blobMetadata(whole);
      const b = packedBlobMetadata(packed);
      expect(packed.starts.length).toBe(whole.entries.length);
      for (const id of whole.byAaguid.keys()) expect(b.byAaguid(id)).toEqual(a.byAaguid(id));
      for (const id of whole.byKeyId.keys()) expect(b.byKeyIdentifier(id)).toEqual(a.byKeyIdentifier(id));
    }
  });
});

/** the packed reading of a payload: the scan, then each value on its own, as loadPackedBlob does */
function packedParse(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; error: unknown } {
  const bytes = Buffer.from(text, 'utf8');
  try {
    const scan = scanPayload(bytes);
    const value: Record<string, unknown> = Object.create(null);
    for (const [k, [a, b]] of scan.members) value[k] = JSON.parse(bytes.toString('utf8', a, b));
    if (scan.entries) value.entries = scan.entries.map(([a, b]) => JSON.parse(bytes.toString('utf8', a, b)));
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error };
  }
}

describe('the payload scanner accepts exactly what JSON.parse accepts', () => {
  const base = JSON.stringify({ legalHeader: 'x "y" [z]', no: 4, nextUpdate: '2099-01-01', entries: [{ aaguid: aaguid(1), s: 'a\\"]}', n: [1, { x: null }], t: true }, { aaguid: aaguid(2), e: [] }, 3, 'str', null] });
  const alphabet = ['{', '}', '[', ']', '"', '\\', ',', ':', ' ', '\n', '0', '-', 'e', '.', 't', 'n', 'x', '\u00e9', '\u0000'];

  it('on 30,000 seeded mutations of a payload (insert, delete, replace, truncate)', () => {
    const rnd = seededRandom(2305);
    let agreedAccept = 0;
    for (let n = 0; n < 30_000; n++) {
      let t = base;
      for (let m = 1 + Math.floor(rnd() * 3); m > 0; m--) {
        const at = Math.floor(rnd() * (t.length + 1));
        const op = Math.floor(rnd() * 4);
        const ch = alphabet[Math.floor(rnd() * alphabet.length)]!;
        t = op === 0 ? t.slice(0, at) + ch + t.slice(at) : op === 1 ? t.slice(0, at) + t.slice(at + 1) : op === 2 ? t.slice(0, at) + ch + t.slice(at + 1) : t.slice(0, at);
      }
      let whole: { ok: boolean; value?: unknown } = { ok: false };
      try {
        whole = { ok: true, value: JSON.parse(t) };
      } catch {
        whole = { ok: false };
      }
      const packed = packedParse(t);
      const isObject = whole.ok && typeof whole.value === 'object' && whole.value !== null && !Array.isArray(whole.value);
      // a payload that is valid JSON but not an object is refused by both loaders (no members)
      expect(packed.ok, `seed 2305 #${n}: ${JSON.stringify(t)}`).toBe(isObject);
      if (!packed.ok) {
        // the scanner's own refusals are HarnessErrors naming the byte; a bad value is JSON.parse's (wrapped by the loader)
        expect(packed.error instanceof HarnessError || packed.error instanceof SyntaxError, String(packed.error)).toBe(true);
        continue;
      }
      agreedAccept++;
      const w = whole.value as Record<string, unknown>;
      // what the loaders read: every member, entries element by element
      expect({ ...packed.value }, `#${n}`).toEqual({ ...w });
    }
    // the mutations are not all fatal: a good share stays valid JSON and is compared member by member
    expect(agreedAccept).toBeGreaterThan(1000);
  });

  it('hostile payloads: each refused with the byte named, none hangs or overflows the stack', () => {
    const cases: [string, RegExp][] = [
      ['', /ends where "\{" is due/],
      ['{"no": 1, "entries": [', /at byte/],
      ['{"entries": [{"a": "never ends}]}', /never ends/],
      ['{"no": 1} {"no": 2}', /more after the payload object at byte 10/],
      ['[1, 2]', /"\{" expected at byte 0/],
      [`{"entries": [${'['.repeat(200_000)}]}`, /never closes/],
      ['{"no" 1}', /":" expected at byte 6/],
      ['{no: 1}', /a member name expected at byte 1/],
    ];
    for (const [text, why] of cases) {
      const r = packedParse(text);
      expect(r.ok, text.slice(0, 40)).toBe(false);
      expect(r.ok ? '' : (r.error as Error).message).toMatch(why);
      expect(r.ok ? undefined : r.error).toBeInstanceOf(HarnessError);
    }
    // deeply nested but closed: an element 100,000 levels deep is measured without recursion
    const deep = `{"entries": [${'['.repeat(100_000)}${']'.repeat(100_000)}]}`;
    expect(scanPayload(Buffer.from(deep)).entries).toEqual([[13, 13 + 200_000]]);
  });

  it('"__proto__" in a payload is a member like any other, never the prototype of what the loader reads', async () => {
    const payload = '{"__proto__": {"no": 1, "nextUpdate": "2099-01-01", "entries": []}}';
    const header = Buffer.from(JSON.stringify({ alg: 'ES256', x5c: [] })).toString('base64url');
    const jwt = `${header}.${Buffer.from(payload).toString('base64url')}.AA`;
    expect(() => loadMetadataBlob(jwt, roots)).toThrow(/numeric "no"/);
    expect(() => loadPackedBlob(jwt, roots)).toThrow(/numeric "no"/);
  });
});

describe('loading in a worker', () => {
  it('opens a BLOB file off the main thread and answers with the same look-ups; a bad one is a named error', async () => {
    const dir = tmp();
    const file = path.join(dir, 'blob.jwt');
    const jwt = await signer.blob({ no: 11, nextUpdate: '2099-01-01', entries: awkwardEntries() });
    fs.writeFileSync(file, jwt);
    const opened = await openMetadataInWorker({ spec: file, cacheDir: dir, rootsPem: signer.rootPem }).done;
    expect(opened.blob).toEqual({ no: 11, nextUpdate: '2099-01-01' });
    expect(opened.how).toBe('file');
    const a = blobMetadata(loadMetadataBlob(jwt, roots));
    expect(opened.metadata.byAaguid(aaguid(2))).toEqual(a.byAaguid(aaguid(2)));
    expect(opened.metadata.entries()).toEqual(a.entries());

    fs.writeFileSync(file, await signer.blob({ no: 12, nextUpdate: '2099-01-01', entries: [], badSignature: true }));
    await expect(openMetadataInWorker({ spec: file, cacheDir: dir, rootsPem: signer.rootPem }).done).rejects.toMatchObject({ code: 'MDS_BLOB_INVALID', message: expect.stringMatching(/MDS_JWS_SIGNATURE/) });
    await expect(openMetadataInWorker({ spec: path.join(dir, 'missing.jwt'), cacheDir: dir }).done).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/ENOENT/) });
    fs.writeFileSync(file, 'not a jws');
    await expect(openMetadataInWorker({ spec: file, cacheDir: dir, rootsPem: signer.rootPem }).done).rejects.toMatchObject({ code: 'BAD_MDS_BLOB' });
  });

  it('the server answers /api/config while a large BLOB loads ("loading"), then shows it loaded', async () => {
    const dir = tmp();
    const file = path.join(dir, 'big.jwt');
    // ~24 MB of statements: seconds of parsing on the main thread before; here a worker's job
    const pad = 'p'.repeat(8000);
    const entries = Array.from({ length: 3000 }, (_, n) => {
      const e = compliantEntry(aaguid(n + 1), signer.rootPem, `Key ${n}`);
      e.metadataStatement!.legalHeader = pad;
      return e;
    });
    fs.writeFileSync(file, await signer.blob({ no: 21, nextUpdate: '2099-01-01', entries }));
    fs.writeFileSync(path.join(dir, 'root.pem'), signer.rootPem);
    s = await startTestServer({ flags: ['--mds', file, '--mds-root', path.join(dir, 'root.pem')] });
    const first = (await s.app.inject({ method: 'GET', url: '/api/config' })).json();
    expect(first.mds.state).toBe('loading');
    for (let i = 0; i < 600 && s.app.metadata.state === 'loading'; i++) await new Promise((r) => setTimeout(r, 50));
    const cfg = (await s.app.inject({ method: 'GET', url: '/api/config' })).json();
    expect(cfg.mds, JSON.stringify(cfg.mds)).toMatchObject({ state: 'loaded', no: 21 });
    expect(s.app.metadata.summary(aaguid(2999), new Date())?.name).toBe('Key 2998');
  });

  it('stopped while it loads, the worker ends at once and says so; a server closed meanwhile stops it', async () => {
    const dir = tmp();
    const file = path.join(dir, 'big.jwt');
    const entries = Array.from({ length: 1500 }, (_, n) => ({ ...compliantEntry(aaguid(n + 1), signer.rootPem), pad: 'q'.repeat(8000) }) as MetadataEntry);
    fs.writeFileSync(file, await signer.blob({ no: 22, nextUpdate: '2099-01-01', entries }));
    const h = openMetadataInWorker({ spec: file, cacheDir: dir, rootsPem: signer.rootPem });
    await h.stop();
    await expect(h.done).rejects.toThrow(/loader stopped \(exit \d+\) before it answered/);

    s = await startTestServer({ flags: ['--mds', file] });
    expect(s.app.metadata.state).toBe('loading');
    const app = s.app;
    await s.close();
    s = undefined;
    await new Promise((r) => setImmediate(r));
    expect(app.metadata.note).toMatch(/loader stopped/);
  });
});
