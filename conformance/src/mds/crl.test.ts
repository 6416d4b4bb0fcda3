import http from 'node:http';
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestMdsSigner } from './TestMdsSigner.ts';
import { loadMetadataBlob } from './MetadataBlob.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundledCrlDir, bundledCrlChecker, bundledCrlSource, checkBlobRevocation, crlChecker, crlCheckerFor, directoryCrlChecker, fetchingCrlChecker, networkCrlSource, SKIP_CRL } from './crl.ts';
import * as x509 from '@peculiar/x509';

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
    // a CRL issued after the verification time says nothing about it (RFC 5280 §5.1.2.4): not used, not "checked"
    serve = await signer.crl({ revokeSigner: false, thisUpdate: new Date(Date.UTC(2026, 5, 1)) });
    expect((await run()).signerResult).toMatchObject({ status: 'stale', detail: expect.stringMatching(/not yet valid at 2026-01-01.*issued after the verification time/) });
    serve = await signer.crl({ revokeSigner: true, revokedAt: new Date(Date.UTC(2025, 0, 1)), thisUpdate: new Date(Date.UTC(2026, 5, 1)) });
    expect((await run()).signerResult.status).toBe('stale');
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
      // hostile files: garbage, truncated, oversized: unreachable with the reason, never good
      fs.writeFileSync(path.join(dir, 'TEST-CA.crl'), 'not a crl');
      expect((await check()).status).toBe('unreachable');
      fs.writeFileSync(path.join(dir, 'TEST-CA.crl'), (await signer.crl({ revokeSigner: true })).subarray(0, 40));
      expect((await check()).status).toBe('unreachable');
      fs.truncateSync(path.join(dir, 'TEST-CA.crl'), 17 * 1024 * 1024);
      expect(await check()).toMatchObject({ status: 'unreachable', detail: expect.stringMatching(/larger than/) });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('stale CRLs, the bundled copies, and falling back to them', () => {
  const DP = 'https://crl.example.invalid/crl/TEST-CA.crl';
  let signer: TestMdsSigner;
  let roots: crypto.X509Certificate[];
  let jwt: string;
  let bundle: string;
  beforeAll(async () => {
    signer = await TestMdsSigner.create(undefined, DP);
    roots = [new crypto.X509Certificate(signer.rootDer)];
    jwt = await signer.blob({ no: 1, nextUpdate: '2099-01-01', entries: [] });
    bundle = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-crl-bundle-'));
    fs.mkdirSync(path.join(bundle, 'crl.example.invalid', 'crl'), { recursive: true });
  });
  afterAll(() => fs.rmSync(bundle, { recursive: true, force: true }));
  const check = async (checker: ReturnType<typeof crlChecker>) => {
    const blob = loadMetadataBlob(jwt, roots, { at: new Date(Date.UTC(2026, 0, 1)) });
    return { blob, r: (await checkBlobRevocation(blob, blob.chain, roots, checker))[0]! };
  };
  const bundleFile = () => path.join(bundle, 'crl.example.invalid', 'crl', 'TEST-CA.crl');

  it('an expired CRL that does not list the signer is "stale" (a warning), not a pass; one that lists it still revokes', async () => {
    fs.writeFileSync(bundleFile(), await signer.crl({ revokeSigner: false, nextUpdate: new Date(Date.UTC(2025, 0, 1)) }));
    let { blob, r } = await check(bundledCrlChecker(bundle));
    expect(r).toMatchObject({ status: 'stale', detail: expect.stringMatching(/nextUpdate 2025-01-01.*revocation unknown/) });
    expect(blob.findings.find((f) => f.code === 'MDS_CRL')?.status).toBe('warn');
    expect(blob.verified).toBe(true);
    fs.writeFileSync(bundleFile(), await signer.crl({ revokeSigner: true, nextUpdate: new Date(Date.UTC(2025, 0, 1)) }));
    ({ blob, r } = await check(bundledCrlChecker(bundle)));
    expect(r.status).toBe('revoked');
    expect(blob.verified).toBe(false);
  });

  it('the bundle is looked up by host and path; a distribution point it does not hold is "skipped" and says how to check it', async () => {
    fs.rmSync(bundleFile(), { force: true });
    const { r } = await check(bundledCrlChecker(bundle));
    expect(r).toMatchObject({ status: 'skipped', detail: expect.stringMatching(/crl\.example\.invalid.*no bundled copy.*--crl fetch/) });
    await expect(bundledCrlSource(bundle).get('https://crl.example.invalid/../../etc/passwd')).rejects.toThrow(/no bundled copy/);
  });

  it('fetch tries the network first and falls back to the bundled copy, saying which it used', async () => {
    fs.writeFileSync(bundleFile(), await signer.crl({ revokeSigner: true }));
    const offline = (async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } });
    }) as unknown as typeof fetch;
    const { r } = await check(crlChecker([networkCrlSource({ fetch: offline }), bundledCrlSource(bundle)]));
    expect(r).toMatchObject({ status: 'revoked', detail: expect.stringMatching(/TEST-CA\.crl, bundled/) });
    // the network answers with a current CRL: that decides, the bundle is not consulted
    const current = await signer.crl({ revokeSigner: false });
    const online = (async () => new Response(Buffer.from(current))) as unknown as typeof fetch;
    expect((await check(crlChecker([networkCrlSource({ fetch: online }), bundledCrlSource(bundle)]))).r).toMatchObject({ status: 'checked', detail: expect.stringMatching(/, fetch,/) });
    // an oversized answer is refused, not read
    const huge = (async () => new Response('x', { headers: { 'content-length': String(64 * 1024 * 1024) } })) as unknown as typeof fetch;
    expect((await check(crlChecker([networkCrlSource({ fetch: huge })]))).r).toMatchObject({ status: 'unreachable', detail: expect.stringMatching(/larger than/) });
  });

  it('--crl values', () => {
    expect(crlCheckerFor('bundled')?.name).toBe('bundled');
    expect(crlCheckerFor('fetch')?.name).toBe('fetch, then bundled');
    expect(crlCheckerFor('dir:/tmp/x')?.name).toBe('directory /tmp/x, then bundled');
    expect(crlCheckerFor('skip')).toBe(SKIP_CRL);
    for (const bad of ['', 'dir:', 'online', 'FETCH']) expect(crlCheckerFor(bad)).toBeUndefined();
  });

  it('every CRL shipped in conformance/trust/crl parses, and is filed under the host and path it is published at', () => {
    const files = fs.readdirSync(bundledCrlDir(), { recursive: true, withFileTypes: true }).filter((d) => d.isFile() && d.name.endsWith('.crl'));
    expect(files.map((d) => d.name).sort()).toEqual(['MDSCA-1.crl', 'MDSROOT.crl']);
    for (const d of files) {
      const crl = new x509.X509Crl(new Uint8Array(fs.readFileSync(path.join(d.parentPath, d.name))));
      expect(crl.issuer).toMatch(/O=FIDO Alliance/);
      expect(path.relative(bundledCrlDir(), d.parentPath)).toBe(path.join('mds3.certinfra.fidoalliance.org', 'crl'));
    }
  });
});
