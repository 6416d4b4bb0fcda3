import { Worker } from 'node:worker_threads';
import { HarnessError } from '../errors/HarnessError.ts';
import type { ErrorCode } from '../errors/errorCodes.ts';
import type { OpenedMetadata } from './MetadataSource.ts';
import { packedBlobMetadata, type PackedBlob } from './packedBlob.ts';
import type { MetadataProvider } from './MetadataProvider.ts';

/** What the worker is asked: a BLOB file or URL (or the cached official one), where the cache is, the roots as PEM. */
export interface BlobWorkerRequest {
  spec?: string;
  cacheDir: string;
  rootsPem?: string;
}

export type BlobWorkerAnswer =
  | ({ ok: true; blob: PackedBlob } & Omit<OpenedMetadata, 'blob'>)
  | { ok: false; code: string; message: string };

export interface OpenedInWorker extends Omit<OpenedMetadata, 'blob'> {
  metadata: MetadataProvider;
  blob: { no: number; nextUpdate: string };
}

/** the worker's own file, beside this one: .ts when running from the sources, .js from the package */
const workerUrl = new URL(`./blobWorker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);

/**
 * openMetadata in a worker thread: reading, base64url-decoding, scanning and verifying a BLOB of
 * tens of MB, and the download and cache write, happen off the main thread, so a server keeps
 * answering meanwhile; the main thread gets the payload's bytes (transferred) and parses an entry
 * only when it is looked up. `stop()` ends the worker (a server closing while the BLOB loads).
 */
export function openMetadataInWorker(req: BlobWorkerRequest): { done: Promise<OpenedInWorker>; stop(): Promise<void> } {
  const worker = new Worker(workerUrl, { workerData: req });
  let settled = false;
  const done = new Promise<OpenedInWorker>((resolve, reject) => {
    worker.once('message', (a: BlobWorkerAnswer) => {
      settled = true;
      if (!a.ok) reject(new HarnessError(a.code as ErrorCode, a.message));
      else resolve({ metadata: packedBlobMetadata(a.blob), blob: { no: a.blob.no, nextUpdate: a.blob.nextUpdate }, source: a.source, how: a.how, note: a.note });
      void worker.terminate();
    });
    worker.once('error', (e) => {
      settled = true;
      reject(new HarnessError('MDS_BLOB_INVALID', `the MDS BLOB could not be loaded: ${e.message}`));
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new HarnessError('MDS_BLOB_INVALID', `the MDS BLOB loader stopped (exit ${code}) before it answered`));
    });
  });
  // the caller may stop it and never look at `done`: its rejection is then nobody's business
  done.catch(() => {});
  return {
    done,
    stop: async () => {
      await worker.terminate();
    },
  };
}
