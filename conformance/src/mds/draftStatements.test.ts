import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readDraftStatement } from './draftStatements.ts';
import { blobMetadata, withDraftStatements } from './MetadataProvider.ts';
import { TestMdsSigner, compliantEntry } from './TestMdsSigner.ts';
import { loadMetadataBlob } from './MetadataBlob.ts';
import { HarnessError } from '../errors/HarnessError.ts';

const A = 'd4af7000-0000-4000-8000-000000000001';
const B = 'd4af7000-0000-4000-8000-000000000002';
const ROOT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';

describe('draft metadata statements', () => {
  it('a bare statement becomes an uncertified entry; the entry form keeps its status reports', () => {
    const e = compliantEntry(A, ROOT, 'Draft');
    const bare = readDraftStatement(JSON.stringify(e.metadataStatement), 'bare.json');
    expect(bare).toMatchObject({ aaguid: A, draftFrom: 'bare.json', statusReports: undefined, metadataStatement: { description: 'Draft' } });
    const full = readDraftStatement(JSON.stringify(e), 'entry.json');
    expect(full.statusReports).toEqual(e.statusReports);
  });

  it('refuses what cannot be an entry, saying why', () => {
    const e = compliantEntry(A, ROOT, 'Draft');
    const cases: [string, RegExp][] = [
      ['{', /bad\.json is not JSON/],
      ['[1]', /expected a metadata statement/],
      ['null', /expected a metadata statement/],
      [JSON.stringify({ description: 'no aaguid' }), /needs the key's AAGUID .* got nothing/],
      [JSON.stringify({ ...e.metadataStatement, aaguid: A.toUpperCase() }), /lowercase 8-4-4-4-12/],
      [JSON.stringify({ ...e, statusReports: 'certified' }), /statusReports must be an array/],
      // members of the wrong type, named by their path (they used to pass start-up and 500 every registration)
      [JSON.stringify({ ...e.metadataStatement, attestationTypes: 'basic_full' }), /members of the wrong type: attestationTypes must be array/],
      [JSON.stringify({ ...e.metadataStatement, authenticatorGetInfo: { ...(e.metadataStatement!.authenticatorGetInfo as object), versions: 'FIDO_2_0' } }), /authenticatorGetInfo\.versions must be array/],
      [JSON.stringify({ ...e.metadataStatement, userVerificationDetails: 5 }), /userVerificationDetails must be array/],
      [JSON.stringify({ ...e, statusReports: [{ effectiveDate: '2024-01-01' }] }), /statusReports must be an array/],
      [' '.repeat(5 * 1024 * 1024), /larger than/],
    ];
    for (const [text, re] of cases) {
      expect(() => readDraftStatement(text, 'bad.json')).toThrow(re);
      expect(() => readDraftStatement(text, 'bad.json')).toThrow(HarnessError);
    }
  });

  it('drafts go in front of a BLOB (replacing its entry for that AAGUID) or stand alone', async () => {
    const signer = await TestMdsSigner.create();
    const blob = loadMetadataBlob(await signer.blob({ no: 9, nextUpdate: '2099-01-01', entries: [compliantEntry(A, ROOT, 'Listed A'), compliantEntry(B, ROOT, 'Listed B')] }), [new crypto.X509Certificate(signer.rootDer)]);
    const draft = readDraftStatement(JSON.stringify(compliantEntry(A, ROOT, 'Draft A').metadataStatement), 'a.json');
    const merged = withDraftStatements(blobMetadata(blob), [draft])!;
    expect(merged.blob?.no).toBe(9);
    expect(merged.byAaguid(A)?.metadataStatement?.description).toBe('Draft A');
    expect(merged.originOf(merged.byAaguid(A)!)).toEqual({ kind: 'draft', file: 'a.json' });
    expect(merged.byAaguid(B)?.metadataStatement?.description).toBe('Listed B');
    expect(merged.originOf(merged.byAaguid(B)!)).toEqual({ kind: 'blob', no: 9, nextUpdate: '2099-01-01' });
    expect(merged.entries().map((e) => e.metadataStatement?.description).sort()).toEqual(['Draft A', 'Listed B']);
    expect(blob.byAaguid.get(A)?.metadataStatement?.description).toBe('Listed A'); // the BLOB itself is untouched
    const alone = withDraftStatements(undefined, [draft])!;
    expect(alone.blob).toBeUndefined();
    expect(alone.entries()).toEqual([draft]);
    const base = blobMetadata(blob);
    expect(withDraftStatements(base, [])).toBe(base);
    expect(withDraftStatements(undefined, [])).toBeUndefined();
  });
});
