import crypto from 'node:crypto';
import { encodeCanonical, RawCbor, type CanonicalValue } from '../cbor/encodeCanonical.ts';
import { COSE_ALG, VERIFIABLE_ALGORITHMS } from '../webauthn/coseKey.ts';
import { coseAlgorithm, coseCurve, opensslCurve, HASH_BYTES } from '../webauthn/coseAlgorithms.ts';

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
  const a = coseAlgorithm(alg);
  if (!a) throw new Error(`the software authenticator does not implement COSE algorithm ${alg}`);
  if (a.pss) return new Uint8Array(crypto.sign(a.hash!, data, { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_BYTES[a.hash!] }));
  return new Uint8Array(crypto.sign(a.hash ?? null, data, key));
}


/** Every COSE algorithm the software key can create credentials with: all the harness verifies. */
export const SOFT_ALGORITHMS: readonly number[] = VERIFIABLE_ALGORITHMS;

/**
 * A credential key pair and its public key as the COSE_Key the credential carries. The
 * `eddsaCurve` Ed448 puts an Ed448 key under EdDSA (-8): a key WebAuthn L3 §5.8.5 does not
 * allow (the `eddsaCurve` feature is how the software key shows that defect).
 */
export function generateCredentialKey(alg: number, o: { eddsaCurve?: 'Ed25519' | 'Ed448' } = {}): { privateKey: crypto.KeyObject; publicKeyCose: Uint8Array } {
  const cose = (m: [number, CanonicalValue][]) => encodeCanonical(new Map(m));
  const b = (s: string | undefined) => new Uint8Array(Buffer.from(s!, 'base64url'));
  const a = coseAlgorithm(alg);
  if (!a || !SOFT_ALGORITHMS.includes(alg)) throw new Error(`the software authenticator does not implement COSE algorithm ${alg}`);
  if (a.kty === 2) {
    const curve = coseCurve(a.curves![0]!)!;
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: opensslCurve(curve) });
    let x: Uint8Array;
    let y: Uint8Array;
    if (curve.jwk) {
      // (a JWK export is some twenty times cheaper than an SPKI one in node:crypto)
      const j = publicKey.export({ format: 'jwk' });
      [x, y] = [b(j.x), b(j.y)];
    } else {
      const spki = publicKey.export({ format: 'der', type: 'spki' });
      const point = spki.subarray(spki.length - (1 + 2 * curve.size));
      [x, y] = [new Uint8Array(point.subarray(1, 1 + curve.size)), new Uint8Array(point.subarray(1 + curve.size))];
    }
    if (x.length !== curve.size || y.length !== curve.size) throw new Error(`${curve.name} public key of unexpected size`);
    return { privateKey, publicKeyCose: cose([[1, 2], [3, alg], [-1, curve.crv], [-2, x], [-3, y]]) };
  }
  if (a.kty === 1) {
    const ed448 = alg === COSE_ALG.Ed448 || (alg === COSE_ALG.EdDSA && o.eddsaCurve === 'Ed448');
    const { privateKey, publicKey } = ed448 ? crypto.generateKeyPairSync('ed448') : crypto.generateKeyPairSync('ed25519');
    return { privateKey, publicKeyCose: cose([[1, 1], [3, alg], [-1, ed448 ? 7 : 6], [-2, b(publicKey.export({ format: 'jwk' }).x)]]) };
  }
  if (a.kty === 3) {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const j = publicKey.export({ format: 'jwk' });
    return { privateKey, publicKeyCose: cose([[1, 3], [3, alg], [-1, b(j.n)], [-2, b(j.e)]]) };
  }
  const { privateKey, publicKey } = crypto.generateKeyPairSync(a.name.toLowerCase() as 'ed25519');
  return { privateKey, publicKeyCose: cose([[1, 7], [3, alg], [-1, b((publicKey.export({ format: 'jwk' }) as { pub?: string }).pub)]]) };
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
