import { parseCertificate, OID } from '../pki/parseCertificate.ts';
import type { CborValue } from '../cbor/decodeCbor.ts';
import type { ParsedAssertion, ParsedRegistration } from './parseResponse.ts';
import type { AuthenticatorData } from './parseAuthenticatorData.ts';
import { coseKeyToPublicKey, describeCoseKey, COSE_ALG_NAMES } from './coseKey.ts';
import { toBase64url, toHex } from '../encoding/base64url.ts';
import { formatAaguid } from '../encoding/formatAaguid.ts';

/** JSON-safe rendering of a CBOR value: maps become objects, bytes become {base64url, length}. */
export function cborToJson(v: CborValue): unknown {
  if (v instanceof Uint8Array) return { base64url: toBase64url(v), length: v.length };
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, val]) => [String(k), cborToJson(val)]));
  if (Array.isArray(v)) return v.map(cborToJson);
  if (typeof v === 'bigint') return v.toString();
  return v ?? null;
}

/** Client extension outputs contain ArrayBuffers in the browser; on the wire they are whatever came. */
function plain(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v ?? {}));
}


function describeAuthData(ad: AuthenticatorData) {
  const acd = ad.attestedCredentialData;
  let publicKey: unknown;
  if (acd) {
    const cose = cborToJson(acd.publicKey) as Record<string, unknown>;
    const params = describeCoseKey(acd.publicKey);
    try {
      const k = coseKeyToPublicKey(acd.publicKey);
      publicKey = { kty: k.kty, alg: k.alg, algName: k.algName, crv: k.crv, size: k.size, cose, params };
    } catch (e) {
      publicKey = { error: (e as Error).message, cose, params };
    }
  }
  return {
    length: ad.bytes.length,
    rpIdHash: toHex(ad.rpIdHash),
    flags: { ...ad.flags, hex: `0x${ad.flags.value.toString(16).padStart(2, '0')}` },
    signCount: ad.signCount,
    aaguid: acd ? formatAaguid(acd.aaguid) : ad.aaguid ? formatAaguid(ad.aaguid) : undefined,
    credentialId: acd ? toBase64url(acd.credentialId) : undefined,
    credentialIdLength: acd?.credentialId.length,
    publicKey,
    extensions: ad.extensions ? cborToJson(ad.extensions) : undefined,
    nonCanonicalCbor: ad.nonCanonical,
    ...(ad.defect ? { defect: ad.defect } : {}),
  };
}

function describeCert(der: CborValue, index: number) {
  if (!(der instanceof Uint8Array)) return { index, error: 'x5c entry is not a byte string' };
  try {
    const c = parseCertificate(der, `x5c[${index}]`);
    const k = c.publicKey.asymmetricKeyDetails;
    return {
      index,
      version: c.version,
      subject: c.subject,
      issuer: c.issuer,
      serialNumber: c.x509.serialNumber,
      notBefore: c.notBefore.toISOString(),
      notAfter: c.notAfter.toISOString(),
      isCA: c.basicConstraints?.ca ?? false,
      basicConstraints: c.basicConstraints ? `CA=${c.basicConstraints.ca}${c.basicConstraints.critical ? ' (critical)' : ''}` : 'absent',
      aaguidExtension: c.extensions.has(OID.AAGUID) ? (c.aaguid ?? 'malformed') + (c.extensions.get(OID.AAGUID)!.critical ? ' (critical)' : '') : undefined,
      transports: c.transports,
      selfSigned: c.subject === c.issuer && c.x509.verify(c.publicKey),
      publicKey: `${c.publicKey.asymmetricKeyType}${k?.namedCurve ? ` ${k.namedCurve}` : ''}${k?.modulusLength ? ` ${k.modulusLength}` : ''}`,
      extensions: [...c.extensions.values()].map((e) => `${e.oid}${e.critical ? ' (critical)' : ''}`),
      sha256: c.sha256,
    };
  } catch (e) {
    return { index, error: (e as Error).message };
  }
}

/** The decoded view the demo page shows for a registration. */
export function describeRegistration(p: ParsedRegistration) {
  const x5c = p.attStmt.get('x5c');
  const alg = p.attStmt.get('alg');
  return {
    kind: p.kind,
    credentialId: p.id,
    clientData: { ...p.clientData.raw, unknownKeys: p.clientData.unknownKeys },
    authenticatorData: describeAuthData(p.authData),
    attestation: {
      fmt: p.fmt,
      type: undefined as string | undefined,
      trust: undefined as string | undefined,
      trustAnchor: undefined as string | undefined,
      alg: typeof alg === 'number' ? (COSE_ALG_NAMES[alg] ?? alg) : undefined,
      statementKeys: [...p.attStmt.keys()].map(String),
      certificates: Array.isArray(x5c) ? x5c.map(describeCert) : [],
    },
    transports: p.transports,
    authenticatorAttachment: p.authenticatorAttachment,
    clientExtensionResults: plain(p.clientExtensionResults),
    nonCanonicalCbor: p.nonCanonical,
  };
}

/** The decoded view the demo page shows for an assertion. */
export function describeAssertion(a: ParsedAssertion) {
  return {
    kind: a.kind,
    credentialId: a.id,
    clientData: { ...a.clientData.raw, unknownKeys: a.clientData.unknownKeys },
    authenticatorData: describeAuthData(a.authData),
    signature: { length: a.signature.length, hex: toHex(a.signature) },
    userHandle: a.userHandle ? toBase64url(a.userHandle) : undefined,
    authenticatorAttachment: a.authenticatorAttachment,
    clientExtensionResults: plain(a.clientExtensionResults),
  };
}
