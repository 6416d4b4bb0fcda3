import type { MetadataBlob, MetadataEntry } from './MetadataBlob.ts';

/** Where an entry came from, so findings and reports can say so. */
export type MetadataOrigin =
  | { kind: 'blob'; no: number; nextUpdate: string }
  | { kind: 'draft'; file: string }
  | { kind: 'snapshot'; no: number; nextUpdate: string };

/**
 * Metadata to judge an authenticator against: the seam every metadata source fills (a verified
 * BLOB, several merged, a vendor's draft statements in front of them, a stored run's snapshot).
 * Analysis and checks take one of these and never build a BLOB of their own.
 */
export interface MetadataProvider {
  /** by AAGUID, lowercase 8-4-4-4-12 */
  byAaguid(aaguid: string): MetadataEntry | undefined;
  /** by attestation certificate key identifier (U2F-era keys), lowercase hex */
  byKeyIdentifier(keyIdentifier: string): MetadataEntry | undefined;
  /** by AAID (UAF) */
  byAaid(aaid: string): MetadataEntry | undefined;
  /** where this entry came from */
  originOf(entry: MetadataEntry): MetadataOrigin;
  /** every entry, each once */
  entries(): readonly MetadataEntry[];
  /** for messages: "MDS BLOB no 121", "draft statements" */
  readonly description: string;
  /** the newest BLOB behind it, when there is one */
  readonly blob?: { no: number; nextUpdate: string };
}

/** How an origin reads in a finding: "MDS BLOB no 121 lists", "the draft statement x.json (not from MDS) describes". */
export function describeOrigin(o: MetadataOrigin): string {
  return o.kind === 'draft' ? `the draft statement ${o.file} (not from MDS) describes` : `MDS BLOB no ${o.no} lists`;
}

const lower = (s: string | undefined) => s?.toLowerCase();

/** One verified BLOB. */
export function blobMetadata(blob: MetadataBlob): MetadataProvider {
  const origin: MetadataOrigin = { kind: 'blob', no: blob.no, nextUpdate: blob.nextUpdate };
  return {
    byAaguid: (a) => blob.byAaguid.get(a.toLowerCase()),
    byKeyIdentifier: (k) => blob.byKeyId.get(k.toLowerCase()),
    byAaid: (a) => blob.byAaid.get(a.toLowerCase()),
    originOf: () => origin,
    entries: () => blob.entries,
    description: `MDS BLOB no ${blob.no}`,
    blob: { no: blob.no, nextUpdate: blob.nextUpdate },
  };
}

/**
 * Several BLOBs as one look-up, newest `no` first: an authenticator dropped from a later BLOB is
 * still found in an older one, which is what analysing historic captures needs.
 */
export function mergedMetadata(blobs: readonly MetadataBlob[]): MetadataProvider {
  const sorted = [...blobs].sort((a, b) => b.no - a.no);
  if (sorted.length === 1) return blobMetadata(sorted[0]!);
  const newest = sorted[0];
  const find = (get: (b: MetadataBlob) => MetadataEntry | undefined) => {
    for (const b of sorted) {
      const e = get(b);
      if (e) return e;
    }
    return undefined;
  };
  const from = new Map<MetadataEntry, MetadataBlob>();
  for (const b of [...sorted].reverse()) for (const e of b.entries) from.set(e, b);
  const seen = new Set<string>();
  const all: MetadataEntry[] = [];
  for (const b of sorted) {
    for (const e of b.entries) {
      const key = lower(e.aaguid) ?? lower(e.aaid) ?? lower(e.attestationCertificateKeyIdentifiers?.[0]) ?? `#${all.length}`;
      if (seen.has(key)) continue;
      seen.add(key);
      all.push(e);
    }
  }
  return {
    byAaguid: (a) => find((b) => b.byAaguid.get(a.toLowerCase())),
    byKeyIdentifier: (k) => find((b) => b.byKeyId.get(k.toLowerCase())),
    byAaid: (a) => find((b) => b.byAaid.get(a.toLowerCase())),
    originOf: (e) => {
      const b = from.get(e) ?? newest;
      return b ? { kind: 'blob', no: b.no, nextUpdate: b.nextUpdate } : { kind: 'blob', no: 0, nextUpdate: '' };
    },
    entries: () => all,
    description: sorted.length ? `MDS BLOBs no ${sorted.map((b) => b.no).reverse().join(', ')}` : 'no MDS BLOB',
    blob: newest ? { no: newest.no, nextUpdate: newest.nextUpdate } : undefined,
  };
}

/**
 * Draft statements in front of another provider: a draft is the entry of its AAGUID (a key
 * not in MDS yet, or a vendor previewing an update of a listed one). No base: the drafts alone.
 */
export function withDraftStatements(base: MetadataProvider | undefined, drafts: readonly MetadataEntry[]): MetadataProvider | undefined {
  if (!drafts.length) return base;
  const byAaguid = new Map(drafts.map((d) => [d.aaguid!.toLowerCase(), d]));
  const ids = new Set(byAaguid.keys());
  return {
    byAaguid: (a) => byAaguid.get(a.toLowerCase()) ?? base?.byAaguid(a),
    byKeyIdentifier: (k) => base?.byKeyIdentifier(k),
    byAaid: (a) => base?.byAaid(a),
    originOf: (e) => (e.draftFrom ? { kind: 'draft', file: e.draftFrom } : (base?.originOf(e) ?? { kind: 'blob', no: 0, nextUpdate: '' })),
    entries: () => [...(base?.entries() ?? []).filter((e) => !e.aaguid || !ids.has(e.aaguid.toLowerCase())), ...drafts],
    description: base ? `${base.description} with draft statements for ${[...ids].join(', ')}` : `draft statements for ${[...ids].join(', ')}`,
    blob: base?.blob,
  };
}

/** A run's stored snapshot: the one entry the run was judged against (or none). */
export function snapshotMetadata(s: { no: number; nextUpdate: string; entry?: MetadataEntry }): MetadataProvider {
  const e = s.entry;
  const keyIds = new Set((e?.attestationCertificateKeyIdentifiers ?? []).map((k) => k.toLowerCase()));
  return {
    byAaguid: (a) => (e?.aaguid && e.aaguid.toLowerCase() === a.toLowerCase() ? e : undefined),
    byKeyIdentifier: (k) => (e && keyIds.has(k.toLowerCase()) ? e : undefined),
    byAaid: (a) => (e?.aaid && e.aaid.toLowerCase() === a.toLowerCase() ? e : undefined),
    originOf: (x) => (x.draftFrom ? { kind: 'draft', file: x.draftFrom } : { kind: 'snapshot', no: s.no, nextUpdate: s.nextUpdate }),
    entries: () => (e ? [e] : []),
    description: `the run's snapshot of MDS BLOB no ${s.no}`,
    blob: { no: s.no, nextUpdate: s.nextUpdate },
  };
}
