import crypto from 'node:crypto';
import { encodeCanonical, RawCbor, type CanonicalValue } from '../cbor/encodeCanonical.ts';
import { COSE_ALG } from '../webauthn/coseKey.ts';

/** How the software key attests: the format a vendor's key would send. */
export type SoftAttestationKind = 'none' | 'packed-self' | 'packed-full' | 'fido-u2f';

export interface AttestationMaterial {
  kind: SoftAttestationKind;
  /** packed-full and fido-u2f: the attestation private key and its certificate (leaf first) */
  key?: crypto.KeyObject;
  x5c?: Uint8Array[];
}

/** The signature a COSE algorithm makes (ECDSA in DER, as WebAuthn L3 §6.5.5 wants). */
export function signWith(alg: number, key: crypto.KeyObject, data: Uint8Array): Uint8Array {
  if (alg === COSE_ALG.EdDSA) return new Uint8Array(crypto.sign(null, data, key));
  if (alg === COSE_ALG.ES384) return new Uint8Array(crypto.sign('sha384', data, key));
  if (alg === COSE_ALG.ES512) return new Uint8Array(crypto.sign('sha512', data, key));
  if (alg === COSE_ALG.RS1) return new Uint8Array(crypto.sign('sha1', data, key));
  return new Uint8Array(crypto.sign('sha256', data, key));
}

/** A credential key pair and its public key as the COSE_Key the credential carries. */
export function generateCredentialKey(alg: number, o: { eddsaCurve?: 'Ed25519' | 'Ed448' } = {}): { privateKey: crypto.KeyObject; publicKeyCose: Uint8Array } {
  const cose = (m: [number, CanonicalValue][]) => encodeCanonical(new Map(m));
  const b = (s: string | undefined) => new Uint8Array(Buffer.from(s!, 'base64url'));
  if (alg === COSE_ALG.ES256 || alg === COSE_ALG.ES384 || alg === COSE_ALG.ES512) {
    const [namedCurve, crv, size] = alg === COSE_ALG.ES256 ? ['P-256', 1, 32] as const : alg === COSE_ALG.ES384 ? ['P-384', 2, 48] as const : ['P-521', 3, 66] as const;
    // (a JWK export is some twenty times cheaper than an SPKI one in node:crypto)
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve });
    const j = publicKey.export({ format: 'jwk' });
    const [x, y] = [b(j.x), b(j.y)];
    if (x.length !== size || y.length !== size) throw new Error(`${namedCurve} public key of unexpected size`);
    return { privateKey, publicKeyCose: cose([[1, 2], [3, alg], [-1, crv], [-2, x], [-3, y]]) };
  }
  if (alg === COSE_ALG.EdDSA) {
    // OKP crv 6 Ed25519 or 7 Ed448 (RFC 9053 §7.2), both EdDSA
    const ed448 = o.eddsaCurve === 'Ed448';
    const { privateKey, publicKey } = ed448 ? crypto.generateKeyPairSync('ed448') : crypto.generateKeyPairSync('ed25519');
    return { privateKey, publicKeyCose: cose([[1, 1], [3, alg], [-1, ed448 ? 7 : 6], [-2, b(publicKey.export({ format: 'jwk' }).x)]]) };
  }
  if (alg === COSE_ALG.RS256 || alg === COSE_ALG.RS1) {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const j = publicKey.export({ format: 'jwk' });
    return { privateKey, publicKeyCose: cose([[1, 3], [3, alg], [-1, b(j.n)], [-2, b(j.e)]]) };
  }
  throw new Error(`the software authenticator does not implement COSE algorithm ${alg}`);
}

/**
 * The attestation statement for one registration, in CTAP2 canonical CBOR (or, with
 * `outOfOrder`, with its keys reversed: the nonCanonicalCbor fault). `signer` says who signs:
 * the attestation key (the honest case) or, for the fault, the credential key.
 */
export function attestationStatement(o: {
  material: AttestationMaterial;
  alg: number;
  credentialKey: crypto.KeyObject;
  signedData: Uint8Array;
  /** fido-u2f: the data U2F signs (0x00 || rpIdHash || clientDataHash || credentialId || 0x04 || x || y) */
  u2fData?: Uint8Array;
  corruptSignature?: boolean;
  signWithCredentialKey?: boolean;
  outOfOrder?: boolean;
}): { fmt: string; attStmt: RawCbor } {
  const corrupt = (s: Uint8Array) => {
    if (!o.corruptSignature) return s;
    const c = Uint8Array.from(s);
    c[c.length - 1] = c[c.length - 1]! ^ 0x01;
    return c;
  };
  const enc = (entries: [string, CanonicalValue][]) => {
    if (!o.outOfOrder) return new RawCbor(encodeCanonical(new Map(entries)));
    // keys in reverse canonical order, everything else canonical
    const sorted = [...entries].sort(([a], [b]) => a.length - b.length || (a < b ? -1 : 1)).reverse();
    const parts = sorted.flatMap(([k, v]) => [...encodeCanonical(k), ...encodeCanonical(v)]);
    return new RawCbor(Uint8Array.from([0xa0 | sorted.length, ...parts]));
  };
  const m = o.material;
  if (m.kind === 'none') return { fmt: 'none', attStmt: enc([]) };
  if (m.kind === 'packed-self') {
    return { fmt: 'packed', attStmt: enc([['alg', o.alg], ['sig', corrupt(signWith(o.alg, o.credentialKey, o.signedData))]]) };
  }
  if (m.kind === 'fido-u2f') {
    const sig = new Uint8Array(crypto.sign('sha256', o.u2fData!, m.key!));
    return { fmt: 'fido-u2f', attStmt: enc([['sig', corrupt(sig)], ['x5c', [m.x5c![0]!]]]) };
  }
  const byCredential = o.signWithCredentialKey;
  const sig = byCredential ? signWith(o.alg, o.credentialKey, o.signedData) : signWith(COSE_ALG.ES256, m.key!, o.signedData);
  return { fmt: 'packed', attStmt: enc([['alg', COSE_ALG.ES256], ['sig', corrupt(sig)], ['x5c', m.x5c!]]) };
}
