import type { X509Certificate } from 'node:crypto';
import { HarnessError } from '../errors/HarnessError.ts';
import type { ParsedCertificate } from '../pki/parseCertificate.ts';
import { blobBody, entryKeys, readBlobJws, verifyBlobJws, type BlobVerification, type MetadataEntry } from './MetadataBlob.ts';
import type { MetadataOrigin, MetadataProvider } from './MetadataProvider.ts';

/**
 * A verified BLOB held as its payload bytes and where each entry lies in them: what a worker
 * thread hands the main thread (plain data, the bytes transferred, not copied). Entries are
 * parsed when first looked up, so the main thread never parses tens of MB at once and holds
 * bytes, not an object graph several times their size.
 */
export interface PackedBlob extends Omit<BlobVerification, 'signer' | 'chain'> {
  no: number;
  nextUpdate: string;
  legalHeader?: string;
  /** the decoded JWS payload (UTF-8 JSON) */
  bytes: Uint8Array;
  /** entry i is bytes[starts[i], ends[i]) */
  starts: Uint32Array;
  ends: Uint32Array;
  /** look-up key → entry index, a later entry overriding an earlier one as in loadMetadataBlob */
  index: { aaguid: [string, number][]; aaid: [string, number][]; keyId: [string, number][] };
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const bad = (what: string, at: number) => new HarnessError('BAD_MDS_BLOB', `MDS BLOB payload is not JSON: ${what} at byte ${at}`);

/**
 * Where the members of the payload object and the elements of its `entries` array lie, found
 * in one pass over the bytes without building them. Each value is then parsed on its own by
 * JSON.parse, which validates it: together the payload is accepted exactly when JSON.parse of
 * the whole would accept it (test/mdsPacked.test.ts holds the two to that, fuzzed).
 */
export function scanPayload(b: Uint8Array): { members: Map<string, [number, number]>; entries?: [number, number][] } {
  let i = 0;
  const ws = () => {
    while (i < b.length && WS.has(b[i]!)) i++;
  };
  const expect = (c: string) => {
    if (b[i] !== c.charCodeAt(0)) throw bad(i >= b.length ? `the payload ends where "${c}" is due` : `"${c}" expected`, i);
    i++;
  };
  // the end of the string starting at i (a quote); escapes skip the byte after the backslash
  const skipString = () => {
    const from = i++;
    while (i < b.length) {
      const c = b[i++]!;
      if (c === 0x5c) i++;
      else if (c === 0x22) return;
    }
    throw bad('a string that never ends', from);
  };
  // the end of one value: strings and brackets counted, scalars up to the next delimiter
  const skipValue = () => {
    const from = i;
    const c = b[i];
    if (c === 0x22) return skipString();
    if (c === 0x7b || c === 0x5b) {
      let depth = 0;
      while (i < b.length) {
        const d = b[i]!;
        if (d === 0x22) {
          skipString();
          continue;
        }
        if (d === 0x7b || d === 0x5b) depth++;
        else if (d === 0x7d || d === 0x5d) depth--;
        i++;
        if (depth === 0) return;
      }
      throw bad('an object or array that never closes', from);
    }
    while (i < b.length && !WS.has(b[i]!) && b[i] !== 0x2c && b[i] !== 0x7d && b[i] !== 0x5d) i++;
    if (i === from) throw bad('a value expected', i);
  };
  // "open item (, item)* close" after the opening bracket: the one shape of the payload object and its entries array
  const sequence = (close: string, item: () => void) => {
    ws();
    if (b[i] === close.charCodeAt(0)) {
      i++;
      return;
    }
    for (;;) {
      ws();
      item();
      ws();
      if (b[i] !== 0x2c) break;
      i++;
    }
    expect(close);
  };
  const members = new Map<string, [number, number]>();
  let entries: [number, number][] | undefined;
  ws();
  expect('{');
  sequence('}', () => {
    if (b[i] !== 0x22) throw bad('a member name expected', i);
    const k0 = i;
    skipString();
    const key = JSON.parse(Buffer.from(b.buffer, b.byteOffset + k0, i - k0).toString('utf8')) as string;
    ws();
    expect(':');
    ws();
    const v0 = i;
    if (key === 'entries' && b[i] === 0x5b) {
      // the array itself: its elements' extents, each parsed later
      const list: [number, number][] = [];
      i++;
      sequence(']', () => {
        const e0 = i;
        skipValue();
        list.push([e0, i]);
      });
      entries = list;
      members.delete(key);
    } else {
      skipValue();
      members.set(key, [v0, i]);
      // a later "entries" that is not an array replaces an earlier one, as JSON.parse would
      if (key === 'entries') entries = undefined;
    }
  });
  ws();
  if (i < b.length) throw bad('more after the payload object', i);
  return { members, entries };
}

/**
 * Verify a BLOB as loadMetadataBlob does and keep it packed: the payload scanned (never parsed
 * whole), every entry parsed once for its look-up keys and dropped again. The signing chain is
 * returned beside it for the revocation check; it is not part of what crosses threads.
 */
export function loadPackedBlob(jwt: string, roots: X509Certificate[], o: { at?: Date; now?: Date } = {}): PackedBlob & { chain: ParsedCertificate[] } {
  const jws = readBlobJws(jwt);
  let bytes: Uint8Array = Buffer.from(jws.parts[1], 'base64url');
  // its own ArrayBuffer, so it can be transferred (a small Buffer may sit in the shared pool)
  if (bytes.byteOffset !== 0 || bytes.byteLength !== bytes.buffer.byteLength) bytes = new Uint8Array(bytes);
  const text = (r: [number, number]) => Buffer.from(bytes.buffer, bytes.byteOffset + r[0], r[1] - r[0]).toString('utf8');
  const parse = (r: [number, number]): unknown => {
    try {
      return JSON.parse(text(r));
    } catch (e) {
      throw new HarnessError('BAD_MDS_BLOB', `MDS BLOB header or payload is not base64url JSON: ${(e as Error).message} (in the value at byte ${r[0]})`, { cause: e });
    }
  };
  const scan = scanPayload(bytes);
  // no prototype: a member named "__proto__" is a member, as in JSON.parse's result
  const small: Record<string, unknown> = Object.create(null);
  for (const [k, r] of scan.members) small[k] = parse(r);
  const body = blobBody({ ...small, entries: scan.entries });
  const entries = scan.entries!;
  const starts = new Uint32Array(entries.length);
  const ends = new Uint32Array(entries.length);
  const index: PackedBlob['index'] = { aaguid: [], aaid: [], keyId: [] };
  entries.forEach((r, n) => {
    starts[n] = r[0];
    ends[n] = r[1];
    for (const [map, key] of entryKeys(parse(r) as MetadataEntry)) index[map].push([key, n]);
  });
  const v = verifyBlobJws(jws, body, roots, o);
  const { signer: _signer, ...verification } = v;
  return { ...body, ...verification, bytes, starts, ends, index };
}

/** The look-up over a packed BLOB: each entry parsed the first time it is asked for, then kept. */
export function packedBlobMetadata(p: PackedBlob): MetadataProvider {
  const origin: MetadataOrigin = { kind: 'blob', no: p.no, nextUpdate: p.nextUpdate };
  const decoder = new TextDecoder();
  const parsed: (MetadataEntry | undefined)[] = new Array(p.starts.length);
  const entry = (n: number | undefined) => (n === undefined ? undefined : (parsed[n] ??= JSON.parse(decoder.decode(p.bytes.subarray(p.starts[n], p.ends[n]))) as MetadataEntry));
  const maps = { aaguid: new Map(p.index.aaguid), aaid: new Map(p.index.aaid), keyId: new Map(p.index.keyId) };
  let all: MetadataEntry[] | undefined;
  return {
    byAaguid: (a) => entry(maps.aaguid.get(a.toLowerCase())),
    byKeyIdentifier: (k) => entry(maps.keyId.get(k.toLowerCase())),
    byAaid: (a) => entry(maps.aaid.get(a.toLowerCase())),
    originOf: () => origin,
    entries: () => (all ??= Array.from(parsed, (_, n) => entry(n)!)),
    description: `MDS BLOB no ${p.no}`,
    blob: { no: p.no, nextUpdate: p.nextUpdate },
  };
}
