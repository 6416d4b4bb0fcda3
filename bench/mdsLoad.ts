import fs from 'node:fs';
import crypto from 'node:crypto';
import { loadMetadataBlob } from '../conformance/src/mds/MetadataBlob.ts';
import { builtinAnchors } from '../conformance/src/pki/TrustAnchors.ts';

/**
 * MDS figures in a fresh process (run with --expose-gc), so RSS growth is the BLOB's own and
 * not the leftovers of earlier benchmarks: prints one JSON line.
 */
const file = process.argv[2]!;
const jwt = fs.readFileSync(file, 'utf8');
const roots = builtinAnchors('mds');
const [h, p, sig] = jwt.split('.') as [string, string, string];
const signer = new crypto.X509Certificate(Buffer.from(JSON.parse(Buffer.from(h, 'base64url').toString()).x5c[0], 'base64'));
const time = (fn: () => unknown, n: number) => {
  fn();
  const t = performance.now();
  for (let i = 0; i < n; i++) fn();
  return (performance.now() - t) / n;
};
const gc = () => (globalThis as { gc?: () => void }).gc?.();
gc();
const rss0 = process.memoryUsage().rss;
const blob = loadMetadataBlob(jwt, roots);
gc();
const rssGrowthMB = (process.memoryUsage().rss - rss0) / 1024 / 1024;
if (!blob.verified) throw new Error('bench BLOB did not verify');
const floorMs = time(() => {
  JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  if (!crypto.verify('sha256', Buffer.from(`${h}.${p}`), signer.publicKey, Buffer.from(sig, 'base64url'))) throw new Error('floor verify failed');
}, 10);
const loadMs = time(() => loadMetadataBlob(jwt, roots), 10);
const keys = [...blob.byAaguid.keys()];
let k = 0;
const lookupNs = (time(() => {
  for (let i = 0; i < 1000; i++) blob.byAaguid.get(keys[(k++) % keys.length]!);
}, 200) * 1e6) / 1000;
process.stdout.write(`${JSON.stringify({ no: blob.no, bytes: jwt.length, loadMs, floorMs, rssGrowthMB, lookupNs, entries: blob.entries.length })}\n`);
