import crypto, { X509Certificate } from 'node:crypto';
import { HarnessError } from '../errors/HarnessError.ts';
import { parseCertificate, type ParsedCertificate } from '../pki/parseCertificate.ts';
import { verifyChain } from '../pki/verifyChain.ts';
import type { Finding } from '../findings/Finding.ts';

/**
 * A FIDO MDS3 BLOB (FIDO Metadata Service v3.0 §3.1): a compact JWS whose payload lists
 * metadata entries. Verified (alg, x5c chain to a supplied root, signature, nextUpdate) and
 * indexed by AAGUID and attestation-certificate key identifier with O(1) look-up.
 */
export interface MetadataStatusReport {
  status: string;
  effectiveDate?: string;
  authenticatorVersion?: number;
  certificationDescriptor?: string;
  certificateNumber?: string;
  certificationPolicyVersion?: string;
  certificationRequirementsVersion?: string;
  /** MDS 3.1: the certification profiles the authenticator passed (e.g. a CTAP 2.3 full-feature profile) */
  certificationProfiles?: string[];
  /** MDS 3.1: the date the certification ends */
  sunsetDate?: string;
  /** MDS 3.1: FIPS 140 revision and physical security level */
  fipsRevision?: number;
  fipsPhysicalSecurityLevel?: number;
  url?: string;
}

export interface MetadataEntry {
  aaguid?: string;
  aaid?: string;
  attestationCertificateKeyIdentifiers?: string[];
  metadataStatement?: {
    description?: string;
    attestationRootCertificates?: string[];
    attestationTypes?: string[];
    authenticationAlgorithms?: string[];
    icon?: string;
    /** MDS 3.1: names by language tag */
    friendlyNames?: Record<string, string>;
    /** MDS 3.1: unsupported (default when absent), explicit (BE tells), implicit (always multi-device) */
    multiDeviceCredentialSupport?: 'unsupported' | 'explicit' | 'implicit';
    [k: string]: unknown;
  };
  statusReports?: MetadataStatusReport[];
  timeOfLastStatusChange?: string;
  /** not from a BLOB: the vendor's draft statement file it was read from (draftStatements.ts) */
  draftFrom?: string;
  /** not from a BLOB either: generated from this emulation profile (check --emulate, softkey) */
  generatedFrom?: string;
}

export interface MetadataBlob extends BlobVerification {
  no: number;
  nextUpdate: string;
  legalHeader?: string;
  entries: MetadataEntry[];
  byAaguid: Map<string, MetadataEntry>;
  byKeyId: Map<string, MetadataEntry>;
  byAaid: Map<string, MetadataEntry>;
}

const JWS: Record<string, { hash: string; ec: boolean; pss?: boolean }> = {
  RS256: { hash: 'sha256', ec: false },
  RS384: { hash: 'sha384', ec: false },
  RS512: { hash: 'sha512', ec: false },
  PS256: { hash: 'sha256', ec: false, pss: true },
  ES256: { hash: 'sha256', ec: true },
  ES384: { hash: 'sha384', ec: true },
  ES512: { hash: 'sha512', ec: true },
};

/**
 * Verify and index a BLOB. `at` is the verification time; without it the BLOB is verified
 * as of its own validity window: now, or nextUpdate or the signer's expiry when those are
 * earlier (historic BLOBs are checked as they stood when they were current).
 */
export function loadMetadataBlob(jwt: string, roots: X509Certificate[], o: { at?: Date; now?: Date } = {}): MetadataBlob {
  const jws = readBlobJws(jwt);
  let payload: { no?: number; nextUpdate?: string; entries?: MetadataEntry[]; legalHeader?: string };
  try {
    payload = JSON.parse(Buffer.from(jws.parts[1], 'base64url').toString('utf8'));
  } catch (e) {
    throw new HarnessError('BAD_MDS_BLOB', `MDS BLOB header or payload is not base64url JSON: ${(e as Error).message}`, { cause: e });
  }
  const body = blobBody(payload);
  const entries = payload.entries as MetadataEntry[];
  const byAaguid = new Map<string, MetadataEntry>();
  const byKeyId = new Map<string, MetadataEntry>();
  const byAaid = new Map<string, MetadataEntry>();
  for (const e of entries) {
    for (const [map, key] of entryKeys(e)) ({ aaguid: byAaguid, aaid: byAaid, keyId: byKeyId })[map].set(key, e);
  }
  return { ...body, entries, ...verifyBlobJws(jws, body, roots, o), byAaguid, byKeyId, byAaid };
}

/** The JWS of a BLOB split, its header read (small: parsed at once). */
export interface BlobJws {
  parts: [string, string, string];
  header: { alg?: string; x5c?: string[]; typ?: string };
}

export function readBlobJws(jwt: string): BlobJws {
  const parts = jwt.trim().split('.');
  if (parts.length !== 3) throw new HarnessError('BAD_MDS_BLOB', `an MDS BLOB is a compact JWS of 3 dot-separated parts; this has ${parts.length}`);
  try {
    return { parts: parts as [string, string, string], header: JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) };
  } catch (e) {
    throw new HarnessError('BAD_MDS_BLOB', `MDS BLOB header or payload is not base64url JSON: ${(e as Error).message}`, { cause: e });
  }
}

/** The payload members every BLOB must have (FIDO MDS 3.0 §3.1.6), checked before anything is verified. */
export function blobBody(payload: { no?: unknown; nextUpdate?: unknown; entries?: unknown; legalHeader?: unknown } | null): { no: number; nextUpdate: string; legalHeader?: string } {
  if (typeof payload?.no !== 'number' || typeof payload.nextUpdate !== 'string' || !Array.isArray(payload.entries)) {
    throw new HarnessError('BAD_MDS_BLOB', 'MDS BLOB payload must have a numeric "no", a "nextUpdate" date and an "entries" array');
  }
  return { no: payload.no, nextUpdate: payload.nextUpdate, legalHeader: payload.legalHeader as string | undefined };
}

/** The look-up keys of one entry, in the order a later entry overrides an earlier one. */
export function entryKeys(e: MetadataEntry | null | undefined): ['aaguid' | 'aaid' | 'keyId', string][] {
  const out: ['aaguid' | 'aaid' | 'keyId', string][] = [];
  if (typeof e !== 'object' || e === null) return out;
  // a member of the wrong type indexes nothing (the statement lint names it), it never throws
  if (typeof e.aaguid === 'string' && e.aaguid) out.push(['aaguid', e.aaguid.toLowerCase()]);
  if (typeof e.aaid === 'string' && e.aaid) out.push(['aaid', e.aaid.toLowerCase()]);
  const ids: unknown = e.attestationCertificateKeyIdentifiers;
  for (const k of Array.isArray(ids) ? ids : []) if (typeof k === 'string') out.push(['keyId', k.toLowerCase()]);
  return out;
}

/** What verifying a BLOB's JWS finds, however its payload is held. */
export interface BlobVerification {
  /** the time the BLOB was verified as of, and why that time */
  verifiedAt: Date;
  verifiedAtBasis: string;
  findings: Finding[];
  verified: boolean;
  signer?: ParsedCertificate;
  /** the JWS x5c chain, signer first */
  chain: ParsedCertificate[];
}

/**
 * The JWS checks of FIDO MDS 3.0 §3.2: alg, x5c chain to a supplied root, signature, nextUpdate.
 * The signature input is hashed in pieces, never copied into one string (a BLOB is tens of MB).
 */
export function verifyBlobJws({ parts, header }: BlobJws, body: { nextUpdate: string }, roots: X509Certificate[], o: { at?: Date; now?: Date } = {}): BlobVerification {
  const findings: Finding[] = [];
  const spec = 'FIDO MDS 3.0 §3.2';
  const alg = header.alg ? JWS[header.alg] : undefined;
  findings.push({ code: 'MDS_JWS_ALG', status: alg ? 'pass' : 'fail', spec, message: `JWS alg ${String(header.alg)} is one MDS allows`, ...(alg ? {} : { expected: Object.keys(JWS).join(', '), actual: String(header.alg) }) });
  let chain: ParsedCertificate[] = [];
  try {
    chain = (header.x5c ?? []).map((c, i) => parseCertificate(new Uint8Array(Buffer.from(c, 'base64')), `BLOB x5c[${i}]`));
  } catch (e) {
    findings.push({ code: 'CERT_PARSE', status: 'fail', spec, message: (e as Error).message });
  }
  const signer = chain[0];
  const nextUpdate = new Date(`${body.nextUpdate}T00:00:00Z`);
  const now = o.now ?? new Date();
  let at = o.at;
  let basis = 'the time given';
  if (!at) {
    // the latest moment, no later than now, at which the BLOB was current and its whole
    // chain valid: a historic BLOB is judged as it stood then, not refused for being old
    const sec = (d: Date) => new Date(d.getTime() - 1000);
    const firstExpiry = chain.length ? chain.reduce((m, c) => (c.notAfter < m.notAfter ? c : m)) : undefined;
    const lastIssued = chain.length ? new Date(Math.max(...chain.map((c) => c.notBefore.getTime()))) : undefined;
    at = now;
    basis = 'now';
    if (nextUpdate < at) {
      at = sec(nextUpdate);
      basis = `just before its nextUpdate ${body.nextUpdate} (the BLOB is historic)`;
    }
    if (firstExpiry && firstExpiry.notAfter < at) {
      at = sec(firstExpiry.notAfter);
      basis = `just before its ${firstExpiry === signer ? 'signing' : 'CA'} certificate expired (${firstExpiry.notAfter.toISOString()})`;
    }
    if (lastIssued && at < lastIssued) {
      // never current while its chain was valid (the MDS 3.0 specification example): judge
      // it now, or when its chain last was valid; the stale warning below still says so
      const chainExpired = !!firstExpiry && firstExpiry.notAfter < now;
      at = chainExpired ? sec(firstExpiry!.notAfter) : now;
      basis = `${chainExpired ? 'just before its chain expired' : 'now'}: its certificates were issued (${lastIssued.toISOString().slice(0, 10)}) after its nextUpdate ${body.nextUpdate}, so it was never current while they were valid`;
    }
  }
  if (!signer) {
    if (!header.x5c?.length) findings.push({ code: 'MDS_JWS_X5C', status: 'fail', spec, message: 'JWS header carries no x5c certificate chain' });
  } else {
    let ok = false;
    if (alg) {
      try {
        const key = alg.ec ? { key: signer.publicKey, dsaEncoding: 'ieee-p1363' as const } : alg.pss ? { key: signer.publicKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING } : signer.publicKey;
        ok = crypto.createVerify(alg.hash).update(parts[0]).update('.').update(parts[1]).verify(key, Buffer.from(parts[2], 'base64url'));
      } catch {
        ok = false;
      }
    }
    findings.push({ code: 'MDS_JWS_SIGNATURE', status: ok ? 'pass' : 'fail', spec, message: 'JWS signature verifies with the x5c leaf certificate', ...(ok ? {} : { expected: 'valid signature', actual: 'does not verify' }) });
    const c = verifyChain(chain, roots, { at, spec: 'FIDO MDS 3.0 §3.2 (x5c chain to the MDS root)', untrusted: 'fail' });
    findings.push(...c.findings.map((f): Finding => (f.code === 'ATT_CHAIN_TRUSTED' ? { ...f, code: 'MDS_CHAIN_TRUSTED', status: f.status === 'warn' ? 'fail' : f.status } : f)));
  }
  // stale is judged against the real clock (and the verification time when one was given):
  // verifying a historic BLOB as of its own window must not hide that it is out of date
  const staleAt = o.at && o.at > now ? o.at : now;
  const stale = staleAt > nextUpdate || at > nextUpdate;
  findings.push({ code: 'MDS_NEXT_UPDATE', status: stale ? 'warn' : 'pass', spec: 'FIDO MDS 3.0 §3.1.6', message: stale ? `the BLOB is stale: its nextUpdate ${body.nextUpdate} has passed (${staleAt.toISOString().slice(0, 10)}); fetch a newer one` : `nextUpdate ${body.nextUpdate} has not passed yet` });
  return { verifiedAt: at, verifiedAtBasis: basis, findings, verified: findings.every((f) => f.status !== 'fail'), signer, chain };
}

/** An entry's attestation roots as certificates (entries carry base64 DER). */
export function entryRoots(e: MetadataEntry | undefined): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (const b64 of e?.metadataStatement?.attestationRootCertificates ?? []) {
    try {
      out.push(new X509Certificate(Buffer.from(b64, 'base64')));
    } catch {
      // a broken root in metadata is the metadata's defect; the chain then simply finds no anchor there
    }
  }
  return out;
}
