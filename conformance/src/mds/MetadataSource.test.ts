import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestMdsSigner, compliantEntry } from './TestMdsSigner.ts';
import { updateMetadata, openMetadata } from './MetadataSource.ts';
import { HarnessError } from '../errors/HarnessError.ts';

/**
 * BLOB download and cache against a real HTTP server on loopback that behaves like the FIDO
 * MDS endpoint (ETag, 304), serving BLOBs signed by our test MDS PKI.
 */
let signer: TestMdsSigner;
let server: http.Server;
let url: string;
let serve: { body: string; etag: string } | 'down' = 'down';
let requests: { ifNoneMatch?: string }[] = [];
const NOW = new Date(Date.UTC(2026, 10, 1));

beforeAll(async () => {
  signer = await TestMdsSigner.create();
  server = http.createServer((req, res) => {
    requests.push({ ifNoneMatch: req.headers['if-none-match'] as string | undefined });
    if (serve === 'down') {
      req.socket.destroy();
      return;
    }
    if (req.headers['if-none-match'] === serve.etag) {
      res.writeHead(304).end();
      return;
    }
    res.writeHead(200, { etag: serve.etag, 'content-type': 'application/octet-stream' }).end(serve.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function blob(no: number, extra: Partial<Parameters<TestMdsSigner['blob']>[0]> = {}) {
  const body = await signer.blob({ no, nextUpdate: '2026-12-01', entries: [compliantEntry('aaaaaaaa-0000-4000-8000-000000000001', signer.rootPem)], ...extra });
  return { body, etag: `"${crypto.createHash('sha256').update(body).digest('hex').slice(0, 12)}"` };
}

function opts(cacheDir: string) {
  return { cacheDir, roots: [new crypto.X509Certificate(signer.rootDer)], now: () => NOW };
}

describe('MetadataSource', () => {
  it('downloads, caches, asks conditionally, refuses to go backwards, and falls back to the cache offline', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-mds-'));
    try {
      requests = [];
      serve = await blob(10);
      const a = await updateMetadata(url, opts(dir));
      expect(a).toMatchObject({ how: 'downloaded', blob: { no: 10, verified: true } });
      const b = await updateMetadata(url, opts(dir));
      expect(b.how).toBe('not-modified');
      expect(requests[1]!.ifNoneMatch).toBe(serve.etag);
      serve = await blob(11);
      expect((await updateMetadata(url, opts(dir))).note).toContain('replacing no 10');
      const slotDir = fs.readdirSync(dir).map((d) => path.join(dir, d))[0]!;
      expect(fs.readdirSync(slotDir).sort()).toEqual(['meta.json', 'no-10.jwt', 'no-11.jwt']);
      serve = await blob(9);
      await expect(updateMetadata(url, opts(dir))).rejects.toMatchObject({ code: 'MDS_NO_REGRESSION' });
      serve = await blob(12, { badSignature: true });
      await expect(updateMetadata(url, opts(dir))).rejects.toMatchObject({ code: 'MDS_BLOB_INVALID' });
      serve = await blob(12, { brokenChain: true });
      await expect(updateMetadata(url, opts(dir))).rejects.toThrow(/CHAIN_LINK|MDS_CHAIN_TRUSTED/);
      serve = 'down';
      const off = await updateMetadata(url, opts(dir));
      expect(off.how).toBe('offline-cached');
      expect(off.blob.no).toBe(11);
      expect(off.note).toMatch(/^offline: could not reach/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('offline with nothing cached: a clear error naming the next step', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-mds-'));
    serve = 'down';
    await expect(updateMetadata(url, opts(dir))).rejects.toThrow(/cannot reach .* no cached copy: connect .* or pass --blob/);
    await expect(openMetadata(undefined, opts(dir))).rejects.toMatchObject({ code: 'MDS_NOT_CACHED' });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a stale BLOB verifies as of its own window and says it is stale, with the date', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-mds-'));
    const file = path.join(dir, 'stale.jwt');
    fs.writeFileSync(file, (await blob(5, { nextUpdate: '2025-03-01' })).body);
    const o = await openMetadata(file, opts(dir));
    expect(o.blob.verified).toBe(true);
    expect(o.blob.findings.find((f) => f.code === 'MDS_NEXT_UPDATE')).toMatchObject({ status: 'warn', message: expect.stringContaining('2025-03-01') });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a file that is not a BLOB is bad input', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-mds-'));
    const file = path.join(dir, 'x.jwt');
    fs.writeFileSync(file, 'not a jws');
    await expect(openMetadata(file, opts(dir))).rejects.toBeInstanceOf(HarnessError);
    await expect(openMetadata(path.join(dir, 'missing.jwt'), opts(dir))).rejects.toThrow(/cannot read MDS BLOB/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('downloads are capped while they stream; the rollback rule holds per BLOB series', () => {
  it('a chunked body without Content-Length is cut off at the limit (MDS and CRL), not read to the end', async () => {
    let sent = 0;
    let aborted = false;
    const flood = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(1024 * 1024, 0x41);
      const pump = () => {
        while (sent < 300 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return res.once('drain', pump);
        }
        res.end();
      };
      req.socket.on('close', () => (aborted = true));
      pump();
    });
    await new Promise<void>((r) => flood.listen(0, '127.0.0.1', r));
    const floodUrl = `http://127.0.0.1:${(flood.address() as { port: number }).port}/`;
    try {
      const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-flood-'));
      const before = process.memoryUsage().rss;
      const e = await updateMetadata(floodUrl, { cacheDir, roots: [new crypto.X509Certificate(signer.rootDer)], now: () => NOW }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(HarnessError);
      expect((e as HarnessError).message).toMatch(/sent more than \d+ bytes; an MDS BLOB is far smaller: the download was stopped/);
      await new Promise((r) => setTimeout(r, 200));
      expect(aborted).toBe(true);
      expect(sent).toBeLessThan(200 * 1024 * 1024);
      expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
      const { networkCrlSource } = await import('./crl.ts');
      sent = 0;
      await expect(networkCrlSource().get(floodUrl)).rejects.toThrow(/larger than \d+ bytes \(the download was stopped\)/);
      fs.rmSync(cacheDir, { recursive: true, force: true });
    } finally {
      flood.closeAllConnections();
      await new Promise<void>((r) => flood.close(() => r()));
    }
  }, 60_000);

  it('a query-string variant of the same URL cannot roll the cached BLOB back; a stale BLOB is said to be stale', async () => {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-series-'));
    const o = { cacheDir, roots: [new crypto.X509Certificate(signer.rootDer)], now: () => NOW };
    serve = { body: await signer.blob({ no: 20, nextUpdate: '2027-01-01', entries: [] }), etag: '"20"' };
    expect((await updateMetadata(url, o)).blob.no).toBe(20);
    serve = { body: await signer.blob({ no: 19, nextUpdate: '2027-01-01', entries: [] }), etag: '"19"' };
    for (const variant of [`${url}?cache-buster=1`, `${url}#x`, url.replace('127.0.0.1', '127.0.0.1:' + new URL(url).port).replace(/:(\d+):\d+/, ':$1')]) {
      await expect(updateMetadata(variant, o)).rejects.toThrow(/older than the cached no 20: refusing to go backwards/);
    }
    serve = { body: await signer.blob({ no: 21, nextUpdate: '2026-06-01', entries: [] }), etag: '"21"' };
    const stale = await updateMetadata(url, o);
    expect(stale.note).toMatch(/STALE: the BLOB is stale: its nextUpdate 2026-06-01 has passed/);
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });
});
