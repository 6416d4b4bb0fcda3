import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { buildApp } from '../server/src/app.ts';
import { loadConfig } from '../server/src/config.ts';
import { TestMdsSigner, compliantEntry } from '../conformance/src/mds/TestMdsSigner.ts';
import { loadMetadataBlob } from '../conformance/src/mds/MetadataBlob.ts';

/**
 * A server loading a 47 MB BLOB (the size the review used), in a fresh process: how long the
 * event loop stalls while the worker loads it, against loading the same BLOB on the main thread
 * (what the server did before), and the process's peak RSS. Prints one JSON line.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-bench-mds-'));
try {
  const signer = await TestMdsSigner.create();
  const pad = 'p'.repeat(10_400);
  const entries = Array.from({ length: 3000 }, (_, n) => {
    const e = compliantEntry(`00000000-0000-4000-8000-${(n + 1).toString(16).padStart(12, '0')}`, signer.rootPem, `Key ${n}`);
    e.metadataStatement!.legalHeader = pad;
    return e;
  });
  const file = path.join(dir, 'big.jwt');
  fs.writeFileSync(file, await signer.blob({ no: 47, nextUpdate: '2099-01-01', entries }));
  fs.writeFileSync(path.join(dir, 'root.pem'), signer.rootPem);
  const bytes = fs.statSync(file).size;
  (globalThis as { gc?: () => void }).gc?.();
  const rss0 = process.memoryUsage().rss;

  const config = loadConfig(['--port', '0', '--data-dir', path.join(dir, 'data'), '--mds', file, '--mds-root', path.join(dir, 'root.pem')], {}, process.cwd());
  const app = await buildApp({ config });
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const t0 = performance.now();
  await app.ready();
  // requests keep coming while it loads: the longest any of them waited
  let longestWait = 0;
  while (app.metadata.state === 'loading') {
    const t = performance.now();
    await app.inject({ method: 'GET', url: '/api/config' });
    longestWait = Math.max(longestWait, performance.now() - t);
    await new Promise((r) => setTimeout(r, 2));
  }
  const workerLoadMs = performance.now() - t0;
  h.disable();
  if (app.metadata.state !== 'loaded') throw new Error(`the bench BLOB did not load: ${app.metadata.note}`);
  const workerPeakMB = (process.resourceUsage().maxRSS * 1024 - rss0) / 1024 / 1024;
  const stallMs = h.max / 1e6;
  await app.close();

  // the same BLOB on the main thread: the whole load is one stall
  const t1 = performance.now();
  const blob = loadMetadataBlob(fs.readFileSync(file, 'utf8'), [new crypto.X509Certificate(signer.rootDer)]);
  const mainThreadMs = performance.now() - t1;
  if (!blob.verified) throw new Error('the bench BLOB does not verify');
  process.stdout.write(`${JSON.stringify({ bytes, workerLoadMs, stallMs, longestWait, mainThreadMs, workerPeakMB })}\n`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
