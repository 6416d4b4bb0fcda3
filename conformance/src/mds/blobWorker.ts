import { parentPort, workerData } from 'node:worker_threads';
import { certificatesFromPem } from '../pki/TrustAnchors.ts';
import { openMetadata } from './MetadataSource.ts';
import { loadPackedBlob } from './packedBlob.ts';
import type { BlobWorkerRequest, BlobWorkerAnswer } from './openMetadataInWorker.ts';

/**
 * The worker side of openMetadataInWorker: opens (reads or fetches, verifies, caches) one BLOB
 * off the main thread and sends it back packed, its payload bytes transferred, not copied.
 */
const req = workerData as BlobWorkerRequest;
let answer: BlobWorkerAnswer;
let transfer: ArrayBuffer[] = [];
try {
  const m = await openMetadata(req.spec, { cacheDir: req.cacheDir, roots: req.rootsPem ? certificatesFromPem(req.rootsPem) : undefined }, loadPackedBlob);
  // the parsed chain stays here: certificates are objects of this thread
  const { chain: _chain, ...blob } = m.blob;
  answer = { ok: true, blob, source: m.source, how: m.how, note: m.note };
  transfer = [blob.bytes.buffer as ArrayBuffer];
} catch (e) {
  const x = e as { code?: string; message?: string };
  answer = { ok: false, code: typeof x.code === 'string' ? x.code : 'MDS_BLOB_INVALID', message: x.message ?? String(e) };
}
parentPort!.postMessage(answer, transfer);
