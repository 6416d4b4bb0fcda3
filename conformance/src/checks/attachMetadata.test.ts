import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AttestationCa } from '../emulation/AttestationCa.ts';
import { SoftAuthenticator } from '../emulation/SoftAuthenticator.ts';
import { TestMdsSigner, compliantEntry } from '../mds/TestMdsSigner.ts';
import { loadMetadataBlob } from '../mds/MetadataBlob.ts';
import { blobMetadata } from '../mds/MetadataProvider.ts';
import { runWithSoftAuthenticator } from '../run/runWithSoftAuthenticator.ts';
import { attachMetadata } from './attachMetadata.ts';
import { evaluateRun } from './evaluateRun.ts';

describe('attachMetadata', () => {
  it('finds the key\'s entry in a whole BLOB by the AAGUID it registered with; none for an unlisted key or a run with no registration', async () => {
    const AAGUID = 'a77ac4ed-0000-4000-8000-000000000001';
    const ca = await AttestationCa.create();
    const leaf = await ca.issueLeaf({ aaguid: AAGUID });
    const key = new SoftAuthenticator({ aaguid: Buffer.from(AAGUID.replace(/-/g, ''), 'hex'), attestation: 'packed-full', attestationKey: leaf.privateKey, x5c: [leaf.der], features: { hmacSecret: true } });
    const signer = await TestMdsSigner.create();
    const entries = [compliantEntry('00000000-0000-4000-8000-0000000000ff', ca.rootPem, 'Someone Else'), compliantEntry(AAGUID, ca.rootPem, 'Attached Key')];
    const blob = loadMetadataBlob(await signer.blob({ no: 7, nextUpdate: '2099-01-01', entries }), [new crypto.X509Certificate(signer.rootDer)]);
    const run = await runWithSoftAuthenticator(key, { rpId: 'vendor.example', origin: 'https://vendor.example', label: 'k' });
    expect(attachMetadata(run, blobMetadata(blob)).mds).toMatchObject({ no: 7, nextUpdate: '2099-01-01', entry: { aaguid: AAGUID, metadataStatement: { description: 'Attached Key' } } });
    expect(evaluateRun(run).outcomes.find((o) => o.id === 'ATT_PACKED_CHAIN_TO_MDS_ROOT')?.status).toBe('pass');

    const unlisted = loadMetadataBlob(await signer.blob({ no: 8, nextUpdate: '2099-01-01', entries: [entries[0]!] }), [new crypto.X509Certificate(signer.rootDer)]);
    expect(attachMetadata(run, blobMetadata(unlisted)).mds).toEqual({ no: 8, nextUpdate: '2099-01-01', entry: undefined });
    expect(attachMetadata(run, undefined).mds).toBeUndefined();
    const empty = { ...run, ceremonies: run.ceremonies.filter((c) => c.kind !== 'registration') };
    expect(attachMetadata(empty, blobMetadata(blob)).mds?.entry).toBeUndefined();
  });
});
