import http from 'node:http';
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestMdsSigner } from './TestMdsSigner.ts';
import { loadMetadataBlob } from './MetadataBlob.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkBlobRevocation, directoryCrlChecker, fetchingCrlChecker, SKIP_CRL } from './crl.ts';

/** Revocation of the BLOB signer, against a real HTTP CRL distribution point on loopback. */
let server: http.Server;
let port: number;
let serve: Uint8Array | 'down' | 'garbage' = 'down';
beforeAll(async () => {
  server = http.createServer((_req, res) => {
    if (serve === 'down') return void res.writeHead(503).end();
    if (serve === 'garbage') return void res.writeHead(200).end('not a crl');
    res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(Buffer.from(serve));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('CRL checking of the MDS BLOB signer', () => {
  it('checked, revoked, unreachable, malformed, skipped: each reported, never assumed good', async () => {
    const signer = await TestMdsSigner.create(undefined, `http://127.0.0.1:${port}/ca.crl`);
    const roots = [new crypto.X509Certificate(signer.rootDer)];
    const jwt = await signer.blob({ no: 1, nextUpdate: '2099-01-01', entries: [] });
    const run = async (checker = fetchingCrlChecker()) => {
      const blob = loadMetadataBlob(jwt, roots, { at: new Date(Date.UTC(2026, 0, 1)) });
      const results = await checkBlobRevocation(blob, blob.chain, roots, checker);
      return { blob, signerResult: results[0]! };
    };
    serve = await signer.crl({ revokeSigner: false });
    let r = await run();
    expect(r.signerResult.status).toBe('checked');
    expect(r.blob.verified).toBe(true);
    serve = await signer.crl({ revokeSigner: true });
    r = await run();
    expect(r.signerResult.status).toBe('revoked');
    expect(r.blob.verified).toBe(false);
    expect(r.blob.findings.find((f) => f.code === 'MDS_CRL' && f.status === 'fail')?.message).toMatch(/revoked 2024-06-01/);
    // revoked after the verification time: not yet revoked then
    serve = await signer.crl({ revokeSigner: true, revokedAt: new Date(Date.UTC(2027, 0, 1)) });
    expect((await run()).signerResult.status).toBe('checked');
    serve = 'down';
    r = await run();
    expect(r.signerResult).toMatchObject({ status: 'unreachable', detail: expect.stringMatching(/HTTP 503/) });
    expect(r.blob.verified).toBe(true);
    expect(r.blob.findings.find((f) => f.code === 'MDS_CRL')?.status).toBe('warn');
    serve = 'garbage';
    expect((await run()).signerResult.status).toBe('unreachable');
    // a CRL signed by someone else is not trusted
    const other = await TestMdsSigner.create();
    serve = await other.crl({ revokeSigner: false });
    expect((await run()).signerResult.detail).toMatch(/not signed by the certificate's issuer/);
    expect((await run(SKIP_CRL)).signerResult.status).toBe('skipped');
  });
});

describe('CRLs from a folder (offline)', () => {
  it('finds the CRL by the distribution point\'s file name; a missing file is unreachable, not good', async () => {
    const signer = await TestMdsSigner.create(undefined, 'https://crl.example.invalid/crl/TEST-CA.crl');
    const roots = [new crypto.X509Certificate(signer.rootDer)];
    const jwt = await signer.blob({ no: 1, nextUpdate: '2099-01-01', entries: [] });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-crl-'));
    try {
      const check = async () => {
        const blob = loadMetadataBlob(jwt, roots, { at: new Date(Date.UTC(2026, 0, 1)) });
        return (await checkBlobRevocation(blob, blob.chain, roots, directoryCrlChecker(dir)))[0]!;
      };
      expect((await check()).status).toBe('unreachable');
      fs.writeFileSync(path.join(dir, 'TEST-CA.crl'), await signer.crl({ revokeSigner: true }));
      expect((await check()).status).toBe('revoked');
      fs.writeFileSync(path.join(dir, 'TEST-CA.crl'), await signer.crl({ revokeSigner: false }));
      expect((await check()).status).toBe('checked');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
