import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto, { type X509Certificate } from 'node:crypto';
import { readCapped } from '../runtime/readCapped.ts';
import { HarnessError } from '../errors/HarnessError.ts';
import { loadMetadataBlob, type MetadataBlob } from './MetadataBlob.ts';
import { builtinAnchors } from '../pki/TrustAnchors.ts';
import { bundledCrlChecker, checkBlobRevocation, type CrlChecker } from './crl.ts';

export const OFFICIAL_MDS_URL = 'https://mds3.fidoalliance.org/';
const MAX_BLOB_BYTES = 64 * 1024 * 1024;

export interface SourceOptions {
  /** where downloaded BLOBs are kept, keyed by URL */
  cacheDir: string;
  fetch?: typeof fetch;
  now?: () => Date;
  /** roots the BLOB must chain to (default: the FIDO MDS GlobalSign roots) */
  roots?: X509Certificate[];
  /** verification time; default: the BLOB's own validity window */
  at?: Date;
  timeoutMs?: number;
  /** revocation checking of the BLOB's signing chain (default: the CRLs shipped with the harness; what is not covered is reported as skipped) */
  crl?: CrlChecker;
}

/** What any BLOB loader gives back that opening and caching one needs. */
export type LoadedBlob = Pick<MetadataBlob, 'no' | 'nextUpdate' | 'findings' | 'verified' | 'verifiedAt' | 'chain'>;
/** loadMetadataBlob (the whole BLOB as objects) or loadPackedBlob (its bytes, entries parsed on demand) */
export type BlobLoader<B extends LoadedBlob> = (jwt: string, roots: X509Certificate[], o: { at?: Date; now?: Date }) => B;

export interface OpenedMetadata<B extends LoadedBlob = MetadataBlob> {
  blob: B;
  /** file path or URL */
  source: string;
  /** downloaded | not-modified | offline-cached | cached | file */
  how: 'downloaded' | 'not-modified' | 'offline-cached' | 'cached' | 'file';
  note: string;
}

interface CacheMeta {
  url: string;
  etag?: string;
  lastModified?: string;
  no: number;
  nextUpdate: string;
  fetchedAt: string;
  sha256: string;
}

export function defaultCacheDir(env: Record<string, string | undefined> = process.env): string {
  return env.FIDO2_HARNESS_CACHE ?? path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'fido2-harness', 'mds');
}

/**
 * The BLOB series a URL names: scheme, host and path, without query, fragment or default port.
 * The cache and the rollback rule (a lower `no` is refused) hold per series, so
 * "https://mds3.fidoalliance.org/?x=1" cannot roll back what "https://mds3.fidoalliance.org/" had.
 */
export function seriesOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host.toLowerCase()}${u.pathname.replace(/\/+$/, '') || '/'}`;
  } catch {
    return url;
  }
}

/** One folder per BLOB series; inside, each BLOB kept under its `no` (no-121.jwt), meta.json names the current one. */
function slot(cacheDir: string, url: string) {
  const dir = path.join(cacheDir, crypto.createHash('sha256').update(seriesOf(url)).digest('hex').slice(0, 16));
  return { dir, blob: (no: number) => path.join(dir, `no-${no}.jwt`), meta: path.join(dir, 'meta.json') };
}

function readCache(cacheDir: string, url: string): { meta: CacheMeta; jwt: string } | undefined {
  const s = slot(cacheDir, url);
  try {
    const meta = JSON.parse(fs.readFileSync(s.meta, 'utf8')) as CacheMeta;
    const jwt = fs.readFileSync(s.blob(meta.no), 'utf8');
    if (crypto.createHash('sha256').update(jwt).digest('hex') !== meta.sha256) return undefined; // torn write: ignore
    return { meta, jwt };
  } catch {
    return undefined;
  }
}

async function verifyOrThrow<B extends LoadedBlob>(jwt: string, where: string, o: SourceOptions, load: BlobLoader<B>): Promise<B> {
  const roots = o.roots ?? builtinAnchors('mds');
  const blob = load(jwt, roots, { at: o.at, now: o.now?.() });
  if (blob.verified) await checkBlobRevocation(blob, blob.chain, roots, o.crl ?? bundledCrlChecker());
  const bad = blob.findings.filter((f) => f.status === 'fail');
  if (bad.length) {
    throw new HarnessError('MDS_BLOB_INVALID', `the MDS BLOB from ${where} does not verify: ${bad.map((f) => `${f.code}: ${f.message}${f.actual ? ` (${f.actual})` : ''}`).join('; ')}`);
  }
  return blob;
}

/**
 * Fetch a BLOB (conditional request when a cached copy has an ETag or Last-Modified), verify
 * it, refuse one whose `no` is lower than the cached one, and cache it atomically. Offline
 * with a cached copy: the cached copy, and a note that says so. Offline without: an error.
 */
export async function updateMetadata<B extends LoadedBlob = MetadataBlob>(url: string, o: SourceOptions, load: BlobLoader<B> = loadMetadataBlob as unknown as BlobLoader<B>): Promise<OpenedMetadata<B>> {
  const f = o.fetch ?? fetch;
  const cached = readCache(o.cacheDir, url);
  const headers: Record<string, string> = {};
  if (cached?.meta.etag) headers['if-none-match'] = cached.meta.etag;
  if (cached?.meta.lastModified) headers['if-modified-since'] = cached.meta.lastModified;
  let res: Response;
  try {
    res = await f(url, { headers, signal: AbortSignal.timeout(o.timeoutMs ?? 30_000), redirect: 'follow' });
  } catch (e) {
    const why = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
    if (cached) {
      return { blob: await verifyOrThrow(cached.jwt, `the cache (${url})`, o, load), source: url, how: 'offline-cached', note: `offline: could not reach ${url} (${why}); using the cached BLOB no ${cached.meta.no} fetched ${cached.meta.fetchedAt}` };
    }
    throw new HarnessError('MDS_UNREACHABLE', `cannot reach ${url} (${why}) and there is no cached copy: connect to the network and run "fido2-harness mds update", or pass --blob <file>`);
  }
  if (res.status === 304 && cached) {
    return { blob: await verifyOrThrow(cached.jwt, `the cache (${url})`, o, load), source: url, how: 'not-modified', note: `not modified since ${cached.meta.fetchedAt}: cached BLOB no ${cached.meta.no}` };
  }
  if (!res.ok) throw new HarnessError('MDS_HTTP', `${url} answered HTTP ${res.status}${cached ? '; the cached BLOB is kept' : ''}`);
  // capped while it streams: a chunked (or lying) body is cut off at the limit, not read to the end;
  // a body that stops arriving (the deadline, a reset connection) is the same failure as no answer
  let body: Uint8Array | null;
  try {
    body = await readCapped(res, MAX_BLOB_BYTES);
  } catch (e) {
    const why = (e as Error).name === 'TimeoutError' ? `the body did not arrive within ${Math.round((o.timeoutMs ?? 30_000) / 1000)} s` : `the body broke off (${(e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message})`;
    throw new HarnessError('MDS_UNREACHABLE', `${url}: ${why}${cached ? '; the cached BLOB is kept' : ''}: try again, or pass --blob <file>`);
  }
  if (!body) throw new HarnessError('MDS_HTTP', `${url} sent more than ${MAX_BLOB_BYTES} bytes; an MDS BLOB is far smaller: the download was stopped${cached ? '; the cached BLOB is kept' : ''}`);
  const jwt = Buffer.from(body).toString('utf8').trim();
  const blob = await verifyOrThrow(jwt, url, o, load);
  if (cached && blob.no < cached.meta.no) {
    throw new HarnessError('MDS_NO_REGRESSION', `${url} served BLOB no ${blob.no}, older than the cached no ${cached.meta.no}: refusing to go backwards (FIDO MDS 3.0 §3.1.6); the cached BLOB is kept`);
  }
  const s = slot(o.cacheDir, url);
  fs.mkdirSync(s.dir, { recursive: true });
  const meta: CacheMeta = {
    url,
    etag: res.headers.get('etag') ?? undefined,
    lastModified: res.headers.get('last-modified') ?? undefined,
    no: blob.no,
    nextUpdate: blob.nextUpdate,
    fetchedAt: (o.now?.() ?? new Date()).toISOString(),
    sha256: crypto.createHash('sha256').update(jwt).digest('hex'),
  };
  // write-then-rename: a crash leaves either the old or the new state, never half of one;
  // older numbers stay on disk (a record of what was trusted when), meta.json moves last
  fs.writeFileSync(`${s.blob(blob.no)}.tmp`, jwt);
  fs.renameSync(`${s.blob(blob.no)}.tmp`, s.blob(blob.no));
  fs.writeFileSync(`${s.meta}.tmp`, JSON.stringify(meta, null, 2));
  fs.renameSync(`${s.meta}.tmp`, s.meta);
  const stale = blob.findings.find((f) => f.code === 'MDS_NEXT_UPDATE' && f.status === 'warn');
  return { blob, source: url, how: 'downloaded', note: `downloaded BLOB no ${blob.no} (nextUpdate ${blob.nextUpdate})${cached ? `, replacing no ${cached.meta.no}` : ''}${stale ? `; STALE: ${stale.message}` : ''}` };
}

/**
 * --blob <file|url>, or nothing: the cached official BLOB (no network unless asked: the
 * harness must work offline; `mds update` refreshes it).
 */
export async function openMetadata<B extends LoadedBlob = MetadataBlob>(spec: string | undefined, o: SourceOptions, load: BlobLoader<B> = loadMetadataBlob as unknown as BlobLoader<B>): Promise<OpenedMetadata<B>> {
  if (spec && /^https?:\/\//i.test(spec)) return updateMetadata(spec, o, load);
  if (spec) {
    let text: string;
    try {
      const st = fs.statSync(spec);
      if (st.size > MAX_BLOB_BYTES) throw new HarnessError('BAD_MDS_BLOB', `${spec} is ${st.size} bytes; an MDS BLOB is far smaller`);
      text = fs.readFileSync(spec, 'utf8');
    } catch (e) {
      if (e instanceof HarnessError) throw e;
      throw new HarnessError('BAD_INPUT', `cannot read MDS BLOB ${spec}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return { blob: await verifyOrThrow(text, spec, o, load), source: spec, how: 'file', note: `read from ${spec}` };
  }
  const cached = readCache(o.cacheDir, OFFICIAL_MDS_URL);
  if (!cached) {
    throw new HarnessError('MDS_NOT_CACHED', `no cached official MDS BLOB in ${o.cacheDir}: run "fido2-harness mds update" (needs the network), or pass --blob <file|url>`);
  }
  return { blob: await verifyOrThrow(cached.jwt, `the cache (${OFFICIAL_MDS_URL})`, o, load), source: OFFICIAL_MDS_URL, how: 'cached', note: `cached official BLOB no ${cached.meta.no}, fetched ${cached.meta.fetchedAt}` };
}
