import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TestMdsSigner } from './TestMdsSigner.ts';
import { loadMetadataBlob } from './MetadataBlob.ts';

/** Which moment a BLOB is judged at when no --at is given, and that the choice is stated. */
describe('verification time of a BLOB', () => {
  const NOW = new Date(Date.UTC(2026, 10, 23));
  const load = async (validity: { notBefore: Date; notAfter: Date }, nextUpdate: string, at?: Date) => {
    const s = await TestMdsSigner.create(validity);
    const roots = [new crypto.X509Certificate(s.rootDer)];
    return loadMetadataBlob(await s.blob({ no: 1, nextUpdate, entries: [] }), roots, { now: NOW, at });
  };
  const y = (year: number) => new Date(Date.UTC(year, 0, 1));
  const warns = (b: Awaited<ReturnType<typeof load>>) => b.findings.filter((f) => f.status === 'warn').map((f) => f.code);

  it('a current BLOB: now', async () => {
    const b = await load({ notBefore: y(2020), notAfter: y(2030) }, '2027-01-01');
    expect(b).toMatchObject({ verified: true, verifiedAt: NOW, verifiedAtBasis: 'now' });
    expect(warns(b)).toEqual([]);
  });

  it('a historic BLOB: just before its nextUpdate, and stale is still a dated warning', async () => {
    const b = await load({ notBefore: y(2020), notAfter: y(2030) }, '2024-05-01');
    expect(b).toMatchObject({ verified: true, verifiedAt: new Date('2024-04-30T23:59:59Z'), verifiedAtBasis: expect.stringMatching(/nextUpdate 2024-05-01/) });
    expect(warns(b)).toEqual(['MDS_NEXT_UPDATE']);
  });

  it('a chain that expired before the nextUpdate: just before it expired', async () => {
    const b = await load({ notBefore: y(2020), notAfter: y(2024) }, '2025-06-01');
    expect(b).toMatchObject({ verified: true, verifiedAt: new Date('2023-12-31T23:59:59Z'), verifiedAtBasis: expect.stringMatching(/certificate expired \(2024-01-01/) });
  });

  it('certificates issued after the nextUpdate (the MDS 3.0 specification example): judged now, and the output says why', async () => {
    const b = await load({ notBefore: y(2021), notAfter: y(2031) }, '2020-03-30');
    expect(b).toMatchObject({ verified: true, verifiedAt: NOW, verifiedAtBasis: expect.stringMatching(/^now: .*issued \(2021-01-01\) after its nextUpdate 2020-03-30/) });
    expect(warns(b)).toEqual(['MDS_NEXT_UPDATE']);
    // ... and if that chain has expired too, when it last was valid
    const old = await load({ notBefore: y(2021), notAfter: y(2022) }, '2020-03-30');
    expect(old).toMatchObject({ verified: true, verifiedAt: new Date('2021-12-31T23:59:59Z') });
  });

  it('a time given is used as it is, even when nothing is valid then', async () => {
    const b = await load({ notBefore: y(2020), notAfter: y(2030) }, '2027-01-01', y(2019));
    expect(b).toMatchObject({ verified: false, verifiedAt: y(2019), verifiedAtBasis: 'the time given' });
    expect(b.findings.filter((f) => f.status === 'fail').map((f) => f.code)).toContain('CERT_VALIDITY');
  });
});
