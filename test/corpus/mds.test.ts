import { describe, expect, it } from 'vitest';
import { hasCorpus, corpusFile } from '../helpers/corpus.ts';
import { loadMetadataBlob } from '../../conformance/src/mds/MetadataBlob.ts';
import { builtinAnchors, certificatesFromPem } from '../../conformance/src/pki/TrustAnchors.ts';
import { HarnessError } from '../../conformance/src/errors/HarnessError.ts';
import { bundledCrlChecker, checkBlobRevocation, fetchingCrlChecker, SKIP_CRL } from '../../conformance/src/mds/crl.ts';

/** The BLOB reader `inspect --mds` relies on, on the real BLOBs and the conformance tool's. */
describe.skipIf(!hasCorpus)('MDS BLOBs from ../shared/corpus/mds', () => {
  const failing = (b: ReturnType<typeof loadMetadataBlob>) => b.findings.filter((f) => f.status === 'fail').map((f) => f.code);

  for (const [n, entries] of [['no23', 0], ['no25', 0], ['no121', 280]] as const) {
    it(`production BLOB ${n} verifies to GlobalSign Root R3 as of its own validity window`, () => {
      const b = loadMetadataBlob(corpusFile(`mds/fido-mds3-prod-${n}.jwt`), builtinAnchors('mds'), { now: new Date('2026-11-23T00:00:00Z') });
      expect(failing(b)).toEqual([]);
      expect(b.verified).toBe(true);
      expect(b.verifiedAt < new Date(`${b.nextUpdate}T00:00:00Z`)).toBe(true);
      expect(b.verifiedAtBasis).toMatch(/nextUpdate|signing certificate expired/);
      if (entries) expect(b.entries).toHaveLength(entries);
      expect(b.byAaguid.get('fa2b99dc-9e39-4257-8f92-4a30d23c4118')?.metadataStatement?.description).toBe('YubiKey 5 Series with NFC');
    });
  }

  it('a production BLOB checked as of today is stale and its signer expired: refused, and the output says why', () => {
    const b = loadMetadataBlob(corpusFile('mds/fido-mds3-prod-no121.jwt'), builtinAnchors('mds'), { at: new Date('2026-11-23T00:00:00Z') });
    expect(failing(b)).toContain('CERT_VALIDITY');
    expect(b.findings.find((f) => f.code === 'MDS_NEXT_UPDATE')).toMatchObject({ status: 'warn' });
  });

  it('the MDS 3.0 specification example verifies with its own root (as of now: its certificates post-date its nextUpdate)', () => {
    const roots = certificatesFromPem(corpusFile('mds/mds3-spec-example-root.pem'));
    const b = loadMetadataBlob(corpusFile('mds/mds3-spec-example.jwt'), roots, { at: new Date('2026-11-23T00:00:00Z') });
    expect(failing(b)).toEqual([]);
    expect(b.no).toBe(15);
    // without a time given the harness finds that moment itself, and says why
    const d = loadMetadataBlob(corpusFile('mds/mds3-spec-example.jwt'), roots, { now: new Date('2026-11-23T00:00:00Z') });
    expect(failing(d)).toEqual([]);
    expect(d.verifiedAtBasis).toMatch(/never current while they were valid/);
  });

  const fake = () => certificatesFromPem(corpusFile('mds/fido-conformance-mds3-fake-root.pem'));
  const conf = (h: string) => corpusFile(`mds/conformance/${h}.jwt`);
  it('conformance tool BLOBs: the valid one verifies; bad signature and broken chains are refused with the reason', () => {
    expect(failing(loadMetadataBlob(conf('26448d4dacea1f180278c7ee2255a22c0f198d50252a1b46127d0ef247fc0aa7'), fake()))).toEqual([]);
    expect(failing(loadMetadataBlob(conf('36750a72e20751306dfabcbad9061e7b952b37c438efe916235fc8ada1e93fa2'), fake()))).toEqual(['MDS_JWS_SIGNATURE']);
    // x5c[1] is an unrelated certificate whose key OpenSSL cannot parse
    const broken = (() => {
      try {
        return failing(loadMetadataBlob(conf('8341670cecc6b6f8d32cfabcd1ba1aa16eeb6062934a171b706144dc379918e2'), fake()));
      } catch (e) {
        return [(e as HarnessError).code];
      }
    })();
    expect(broken.some((c) => ['CERT_PARSE', 'CHAIN_LINK', 'MDS_CHAIN_TRUSTED'].includes(c))).toBe(true);
    // x5c[1] is another end-entity certificate, not the CA that signed x5c[0]
    expect(failing(loadMetadataBlob(conf('fafc34efeb5b350f76cb93b7b0cef6d017ee8d8286fa4ec66a1e998dee6707c6'), fake()))).toEqual(expect.arrayContaining(['CHAIN_LINK', 'MDS_CHAIN_TRUSTED']));
  });

  it('the conformance BLOB whose signer the tool revokes is refused by the CRL shipped with the harness, and only by it', async () => {
    const load = () => loadMetadataBlob(conf('8654399fb85390b4f600a6c43088975dbdf74ca6c2dc17066657f01b0c722250'), fake());
    let b = load();
    expect(failing(b)).toEqual([]); // chain and signature are fine: revocation is the only defect
    const [signer] = await checkBlobRevocation(b, b.chain, fake(), bundledCrlChecker());
    expect(signer).toMatchObject({ status: 'revoked', detail: expect.stringMatching(/serial 04806749DE307BBD5175A26D73F5F3 revoked 2018-03-25.*MDSCA-1\.crl, bundled/) });
    expect(failing(b)).toEqual(['MDS_CRL']);
    expect(b.verified).toBe(false);
    // offline "fetch" falls back to the same copy
    const offline = (async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } });
    }) as unknown as typeof fetch;
    b = load();
    expect((await checkBlobRevocation(b, b.chain, fake(), fetchingCrlChecker({ fetch: offline })))[0]!.status).toBe('revoked');
    // without CRLs it passes, and the report says revocation was not checked
    b = load();
    await checkBlobRevocation(b, b.chain, fake(), SKIP_CRL);
    expect(b.verified).toBe(true);
    expect(b.findings.filter((f) => f.code === 'MDS_CRL').map((f) => f.status)).toEqual(['skip', 'skip']);
  });

  it('the valid conformance BLOB stays valid with the shipped CRLs: not listed, but they are expired, so revocation is "unknown" (a warning)', async () => {
    const b = loadMetadataBlob(conf('26448d4dacea1f180278c7ee2255a22c0f198d50252a1b46127d0ef247fc0aa7'), fake());
    const results = await checkBlobRevocation(b, b.chain, fake(), bundledCrlChecker());
    expect(results.map((r) => r.status)).toEqual(['stale', 'stale']);
    expect(b.verified).toBe(true);
    // offline "fetch": the stale shipped copy, and the report says the network had none
    const offline = (async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } });
    }) as unknown as typeof fetch;
    const again = loadMetadataBlob(conf('26448d4dacea1f180278c7ee2255a22c0f198d50252a1b46127d0ef247fc0aa7'), fake());
    const [signer] = await checkBlobRevocation(again, again.chain, fake(), fetchingCrlChecker({ fetch: offline }));
    expect(signer).toMatchObject({ status: 'stale', detail: expect.stringMatching(/bundled.*no current CRL: .*MDSCA-1\.crl \(fetch\): ENOTFOUND/) });
  });

  it('garbage is bad input, not a crash', () => {
    for (const s of ['', 'a.b', 'a.b.c', `${Buffer.from('{}').toString('base64url')}.${Buffer.from('{"no":1}').toString('base64url')}.x`]) {
      expect(() => loadMetadataBlob(s, builtinAnchors('mds'))).toThrow(HarnessError);
    }
  });
});
