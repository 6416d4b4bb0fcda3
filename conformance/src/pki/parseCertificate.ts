import { X509Certificate, createHash, type KeyObject } from 'node:crypto';
import { HarnessError } from '../errors/HarnessError.ts';
import { readTlv, children, contents, expectTag, decodeOid, decodeDerString, TAG, type Tlv } from '../asn1/der.ts';
import { formatAaguid } from '../encoding/formatAaguid.ts';

/** FIDO OIDs (WebAuthn L3 §8.2.1, FIDO U2F authenticator transports extension). */
export const OID = {
  AAGUID: '1.3.6.1.4.1.45724.1.1.4',
  TRANSPORTS: '1.3.6.1.4.1.45724.2.1.1',
  BASIC_CONSTRAINTS: '2.5.29.19',
  SUBJECT_KEY_ID: '2.5.29.14',
  AUTHORITY_KEY_ID: '2.5.29.35',
  SUBJECT_ALT_NAME: '2.5.29.17',
  EXT_KEY_USAGE: '2.5.29.37',
  ANDROID_KEY_DESCRIPTION: '1.3.6.1.4.1.11129.2.1.17',
  APPLE_NONCE: '1.2.840.113635.100.8.2',
  TCG_KP_AIK_CERTIFICATE: '2.23.133.8.3',
} as const;

export interface CertExtension {
  oid: string;
  critical: boolean;
  value: Uint8Array;
}

export interface ParsedCertificate {
  der: Uint8Array;
  x509: X509Certificate;
  /** the subject public key (node parses it lazily; we force it so a broken key is bad input here) */
  publicKey: KeyObject;
  version: number;
  subject: string;
  issuer: string;
  /** subject attributes by short name (C, O, OU, CN…); repeated attributes joined with "+" */
  subjectAttrs: Record<string, string>;
  notBefore: Date;
  notAfter: Date;
  extensions: Map<string, CertExtension>;
  basicConstraints?: { ca: boolean; critical: boolean };
  /** AAGUID from 1.3.6.1.4.1.45724.1.1.4, when present and well-formed */
  aaguid?: string;
  /** FIDO transports bit names from 1.3.6.1.4.1.45724.2.1.1 */
  transports?: string[];
  sha256: string;
  /** the issuer and subject Names exactly as encoded (RFC 5280 §7.1 name matching) */
  issuerDer: Uint8Array;
  subjectDer: Uint8Array;
  /** authority and subject key identifiers (RFC 5280 §4.2.1.1, §4.2.1.2), hex */
  authorityKeyId?: string;
  subjectKeyId?: string;
}

const ATTR: Record<string, string> = { '2.5.4.6': 'C', '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.3': 'CN', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.5': 'serialNumber' };
const TRANSPORT_BITS = ['bluetoothRadio', 'bluetoothLowEnergy', 'usb', 'nfc', 'usbInternal'];

const CACHE_MAX = 4096;
const cache = new Map<string, ParsedCertificate>();

/**
 * An X.509 certificate: node:crypto for signatures, dates and names (native, fast), plus a
 * DER walk of the TBSCertificate for what node does not expose (version, extensions, RDNs).
 *
 * Parsed certificates are cached by their bytes: batch attestation means one attestation
 * certificate stands in 100,000 keys' registrations (FIDO's batch minimum), and building its
 * public KeyObject costs as much as a signature check. The result is immutable; treat it so.
 */
export function parseCertificate(der: Uint8Array, what = 'certificate'): ParsedCertificate {
  const id = createHash('sha256').update(der).digest('base64');
  const hit = cache.get(id);
  if (hit) return hit;
  const parsed = parseUncached(der, what);
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(id, parsed);
  return parsed;
}

function parseUncached(der: Uint8Array, what: string): ParsedCertificate {
  let x509: X509Certificate;
  let publicKey: KeyObject;
  try {
    x509 = new X509Certificate(der);
    publicKey = x509.publicKey;
  } catch (e) {
    throw new HarnessError('BAD_CERTIFICATE', `${what} is not a parseable X.509 certificate: ${(e as Error).message}`, { cause: e });
  }
  try {
    const cert = expectTag(readTlv(der, 0), TAG.SEQUENCE, `${what}`);
    const tbs = expectTag(children(cert)[0], TAG.SEQUENCE, `${what} TBSCertificate`);
    const parts = children(tbs);
    let i = 0;
    let version = 1;
    if (parts[0]?.tag === 0xa0) {
      version = contents(children(parts[0])[0]!)[0]! + 1;
      i = 1;
    }
    // serial, signature alg, issuer, validity, subject, spki
    const issuerTlv = parts[i + 2]!;
    const subjectTlv = parts[i + 4]!;
    const subjectAttrs = rdns(subjectTlv);
    const extensions = new Map<string, CertExtension>();
    const extWrapper = parts.find((p) => p.tag === 0xa3);
    if (extWrapper) {
      for (const ext of children(expectTag(children(extWrapper)[0], TAG.SEQUENCE, `${what} extensions`))) {
        const f = children(ext);
        const oid = decodeOid(expectTag(f[0], TAG.OID, 'extension id'));
        const critical = f[1]?.tag === TAG.BOOLEAN ? contents(f[1])[0] !== 0 : false;
        const valueTlv = expectTag(f[f[1]?.tag === TAG.BOOLEAN ? 2 : 1], TAG.OCTET_STRING, `extension ${oid} value`);
        extensions.set(oid, { oid, critical, value: contents(valueTlv) });
      }
    }
    const bc = extensions.get(OID.BASIC_CONSTRAINTS);
    let basicConstraints: ParsedCertificate['basicConstraints'];
    if (bc) {
      const seq = children(readTlv(bc.value, 0));
      basicConstraints = { ca: seq[0]?.tag === TAG.BOOLEAN && contents(seq[0])[0] !== 0, critical: bc.critical };
    }
    const notBefore = new Date(x509.validFrom);
    const notAfter = new Date(x509.validTo);
    if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) {
      throw new HarnessError('BAD_CERTIFICATE', `${what} has an unreadable validity period (${x509.validFrom} to ${x509.validTo})`);
    }
    const out: ParsedCertificate = {
      der,
      x509,
      publicKey,
      version,
      subject: (x509.subject ?? '').replace(/\n/g, ', '),
      issuer: (x509.issuer ?? '').replace(/\n/g, ', '),
      subjectAttrs,
      notBefore,
      notAfter,
      extensions,
      basicConstraints,
      sha256: x509.fingerprint256.replace(/:/g, '').toLowerCase(),
      issuerDer: der.subarray(issuerTlv.start, issuerTlv.end),
      subjectDer: der.subarray(subjectTlv.start, subjectTlv.end),
    };
    const ski = extensions.get(OID.SUBJECT_KEY_ID);
    if (ski) {
      const inner = readTlv(ski.value, 0);
      if (inner.tag === TAG.OCTET_STRING) out.subjectKeyId = Buffer.from(contents(inner)).toString('hex');
    }
    const aki = extensions.get(OID.AUTHORITY_KEY_ID);
    if (aki) {
      // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING OPTIONAL, ... }
      const kid = children(readTlv(aki.value, 0)).find((c) => c.tag === 0x80);
      if (kid) out.authorityKeyId = Buffer.from(contents(kid)).toString('hex');
    }
    const ag = extensions.get(OID.AAGUID);
    if (ag) {
      // §8.2.1: the extension value is an OCTET STRING holding the 16-byte AAGUID
      const inner = readTlv(ag.value, 0);
      if (inner.tag === TAG.OCTET_STRING && inner.end - inner.contentStart === 16 && inner.end === ag.value.length) out.aaguid = formatAaguid(contents(inner));
    }
    const tr = extensions.get(OID.TRANSPORTS);
    if (tr) {
      const bits = readTlv(tr.value, 0);
      if (bits.tag === TAG.BIT_STRING && bits.end - bits.contentStart >= 2) {
        const b = tr.value[bits.contentStart + 1]!;
        out.transports = TRANSPORT_BITS.filter((_, k) => b & (0x80 >> k));
      }
    }
    return out;
  } catch (e) {
    if (e instanceof HarnessError && e.code === 'BAD_DER') {
      throw new HarnessError('BAD_CERTIFICATE', `${what}: ${e.message}`, { cause: e });
    }
    throw e;
  }
}

function rdns(name: Tlv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const set of children(name)) {
    for (const atv of children(set)) {
      const [oidT, valT] = children(atv);
      if (!oidT || !valT) continue;
      const key = ATTR[decodeOid(oidT)] ?? decodeOid(oidT);
      const value = decodeDerString(valT);
      out[key] = out[key] === undefined ? value : `${out[key]}+${value}`;
    }
  }
  return out;
}
