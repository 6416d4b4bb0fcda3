import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/testServer.ts';
import { ApiSession } from './helpers/ApiSession.ts';
import { SoftAuthenticator } from '../conformance/src/emulation/SoftAuthenticator.ts';
import { AttestationCa } from '../conformance/src/emulation/AttestationCa.ts';
import { TestMdsSigner, compliantEntry } from '../conformance/src/mds/TestMdsSigner.ts';
import { loadMetadataBlob, type MetadataEntry } from '../conformance/src/mds/MetadataBlob.ts';
import { safeIcon } from '../server/src/plugins/metadata.ts';

/** The RP server with MDS: trust from the entry's roots, name/icon/status per credential, compromise refused. */
const AAGUID = 'c0ffee00-1234-4567-89ab-cdef01234567';
const PNG = `data:image/png;base64,${Buffer.from('89504e470d0a1a0a', 'hex').toString('base64')}`;
let ca: AttestationCa;
let signer: TestMdsSigner;
let key: SoftAuthenticator;
let s: TestServer | undefined;

beforeAll(async () => {
  ca = await AttestationCa.create();
  signer = await TestMdsSigner.create();
  const leaf = await ca.issueLeaf({ aaguid: AAGUID });
  key = new SoftAuthenticator({ aaguid: Buffer.from(AAGUID.replace(/-/g, ''), 'hex'), attestation: 'packed-full', attestationKey: leaf.privateKey, x5c: [leaf.der] });
});
afterEach(async () => {
  await s?.close();
  s = undefined;
});

async function blobWith(patch: (e: MetadataEntry) => void = () => {}) {
  const e = compliantEntry(AAGUID, ca.rootPem, 'Vendor Key 2000');
  e.metadataStatement!.icon = PNG;
  patch(e);
  return signer.blob({ no: 7, nextUpdate: '2099-01-01', entries: [e] });
}

async function register(server: TestServer) {
  const api = new ApiSession(server.app);
  const o = await api.post('/api/registration/options', { username: 'vendor', attestation: 'direct' });
  return { api, res: await api.post('/api/registration/verify', await key.create(o.json(), server.origin)) };
}

describe('server with MDS', () => {
  it('trusts the chain through the MDS entry and shows name, icon and status', async () => {
    s = await startTestServer({ metadata: loadMetadataBlob(await blobWith(), [new crypto.X509Certificate(signer.rootDer)]) });
    const { api, res } = await register(s);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.decoded.attestation).toMatchObject({ trust: 'trusted', type: 'basic' });
    expect(body.findings.find((f: { code: string }) => f.code === 'MDS_ENTRY').status).toBe('pass');
    expect(body.credential.authenticator).toEqual({ name: 'Vendor Key 2000', icon: PNG, status: 'FIDO_CERTIFIED_L1', statusDate: '2024-01-15', certified: true, compromised: false });
    expect((await api.get('/api/credentials')).json().credentials[0].authenticator.name).toBe('Vendor Key 2000');
    expect((await api.get('/api/config')).json().mds).toMatchObject({ state: 'loaded', no: 7 });
  });

  it('refuses a key whose MDS entry reports a compromise', async () => {
    s = await startTestServer({ metadata: loadMetadataBlob(await blobWith((e) => e.statusReports!.push({ status: 'ATTESTATION_KEY_COMPROMISE', effectiveDate: '2025-01-01' })), [new crypto.X509Certificate(signer.rootDer)]) });
    const { res } = await register(s);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('MDS_STATUS');
  });

  it('loads --mds <file> in the background after start', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-srvmds-'));
    const file = path.join(dir, 'blob.jwt');
    const root = path.join(dir, 'root.pem');
    fs.writeFileSync(file, await blobWith());
    fs.writeFileSync(root, signer.rootPem);
    try {
      s = await startTestServer({ flags: ['--mds', file, '--mds-root', root] });
      for (let i = 0; i < 100 && s.app.metadata.state !== 'loaded'; i++) await new Promise((r) => setTimeout(r, 20));
      expect(s.app.metadata.state).toBe('loaded');
      expect((await register(s)).res.json().credential.authenticator.name).toBe('Vendor Key 2000');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an MDS BLOB that does not verify is reported, and the server runs without it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-srvmds-'));
    const file = path.join(dir, 'blob.jwt');
    fs.writeFileSync(file, await signer.blob({ no: 1, nextUpdate: '2099-01-01', entries: [], badSignature: true }));
    try {
      s = await startTestServer({ flags: ['--mds', file] });
      for (let i = 0; i < 100 && s.app.metadata.state === 'loading'; i++) await new Promise((r) => setTimeout(r, 20));
      expect(s.app.metadata.state).toBe('error');
      expect(s.app.metadata.note).toMatch(/MDS BLOB not loaded: .*does not verify/);
      expect((await register(s)).res.statusCode).toBe(200);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('no --mds and no cached official BLOB: the header says no metadata is loaded and how to load it, not "loading" forever', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-nocache-'));
    try {
      s = await startTestServer({ flags: ['--mds-cache-dir', dir] });
      for (let i = 0; i < 100 && s.app.metadata.state === 'loading'; i++) await new Promise((r) => setTimeout(r, 20));
      const cfg = (await s.app.inject({ method: 'GET', url: '/api/config' })).json();
      expect(cfg.mds.state).toBe('none');
      expect(cfg.mds.note).toMatch(/^no metadata loaded: .*fido2-harness mds update.*--mds <file\|url>/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('icons from metadata', () => {
  it('only raster data: URIs pass', () => {
    expect(safeIcon(PNG)).toBe(PNG);
    expect(safeIcon('data:image/jpeg;base64,/9j/4AAQ')).toBe('data:image/jpeg;base64,/9j/4AAQ');
    for (const bad of ['data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=', 'javascript:alert(1)', 'https://evil.example/x.png', 'data:image/png;base64,AAAA" onerror="x', `data:image/png;base64,${'A'.repeat(70000)}`, 42, undefined]) {
      expect(safeIcon(bad)).toBeUndefined();
    }
  });
});
