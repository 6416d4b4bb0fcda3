import crypto from 'node:crypto';
import { HarnessError } from '../errors/HarnessError.ts';
import type { CborValue } from '../cbor/decodeCbor.ts';

/** COSE algorithm identifiers we can verify (IANA COSE registry). */
export const COSE_ALG = {
  ES256: -7,
  EdDSA: -8,
  ES384: -35,
  ES512: -36,
  PS256: -37,
  ML_DSA_44: -48,
  ML_DSA_65: -49,
  ML_DSA_87: -50,
  RS256: -257,
  RS384: -258,
  RS512: -259,
  /** RSASSA-PKCS1-v1_5 with SHA-1: deprecated, but RPs (and TPM keys) still use it */
  RS1: -65535,
} as const;

/** Every COSE algorithm this harness verifies: what inspect assumes an RP offered when the wrapper does not say. */
export const VERIFIABLE_ALGORITHMS: readonly number[] = Object.values(COSE_ALG);

export const COSE_ALG_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(COSE_ALG).map(([k, v]) => [v, k.replace(/_/g, '-')]),
);

const KTY_NAMES: Record<number, string> = { 1: 'OKP', 2: 'EC2', 3: 'RSA', 7: 'AKP' };
const EC_CURVES: Record<number, { jwk: string; size: number; alg: number; hash: string }> = {
  1: { jwk: 'P-256', size: 32, alg: COSE_ALG.ES256, hash: 'sha256' },
  2: { jwk: 'P-384', size: 48, alg: COSE_ALG.ES384, hash: 'sha384' },
  3: { jwk: 'P-521', size: 66, alg: COSE_ALG.ES512, hash: 'sha512' },
};
const ML_DSA: Record<number, string> = { [-48]: 'ML-DSA-44', [-49]: 'ML-DSA-65', [-50]: 'ML-DSA-87' };

const CURVE_NAMES: Record<number, string> = { 1: 'P-256', 2: 'P-384', 3: 'P-521', 4: 'X25519', 5: 'X448', 6: 'Ed25519', 7: 'Ed448' };
const COMMON_LABELS: Record<number, string> = { 1: 'kty', 2: 'kid', 3: 'alg', 4: 'key_ops', 5: 'Base IV' };
/** the key-type parameters (negative labels) by key type: RFC 9053 §7.1, §7.2, §7.3; RFC 8230; the AKP draft for ML-DSA */
const TYPE_LABELS: Record<number, Record<number, string>> = { 1: { [-1]: 'crv', [-2]: 'x', [-4]: 'd' }, 2: { [-1]: 'crv', [-2]: 'x', [-3]: 'y', [-4]: 'd' }, 3: { [-1]: 'n', [-2]: 'e' }, 7: { [-1]: 'pub' } };

/** One COSE_Key parameter as a person reads it: its label, its name, its value and what the value means. */
export interface CoseParam {
  label: string;
  name: string;
  value: string;
  meaning?: string;
}

/**
 * A COSE_Key's parameters, named and explained (kty 2 is EC2, alg -7 is ES256, crv 1 is P-256,
 * byte strings in hex with their length), in the order the key sent them. Works on keys that
 * do not verify too: it describes, it does not judge.
 */
export function describeCoseKey(key: Map<number | string, CborValue>): CoseParam[] {
  const kty = key.get(1);
  const out: CoseParam[] = [];
  for (const [label, v] of key) {
    const n = typeof label === 'number' ? label : Number.NaN;
    const name = COMMON_LABELS[n] ?? (typeof kty === 'number' ? TYPE_LABELS[kty]?.[n] : undefined) ?? 'unknown parameter';
    let value: string;
    if (v instanceof Uint8Array) value = `${Buffer.from(v).toString('hex')} (${v.length} bytes)`;
    else if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string' || typeof v === 'boolean') value = String(v);
    else value = v === null || v === undefined ? String(v) : Array.isArray(v) ? `array of ${v.length}` : v instanceof Map ? `map of ${v.size}` : typeof v;
    let meaning: string | undefined;
    if (typeof v === 'number') {
      if (name === 'kty') meaning = KTY_NAMES[v] ?? 'unknown key type';
      else if (name === 'alg') meaning = COSE_ALG_NAMES[v] ?? 'not an algorithm this harness knows';
      else if (name === 'crv') meaning = CURVE_NAMES[v] ?? 'unknown curve';
    }
    out.push({ label: String(label), name, value, ...(meaning ? { meaning } : {}) });
  }
  return out;
}

export interface PublicKeyInfo {
  kty: string;
  alg: number;
  algName: string;
  crv?: string;
  /** bits for RSA, curve size for EC */
  size?: number;
  keyObject: crypto.KeyObject;
}

function bytesAt(key: Map<number | string, CborValue>, label: number, what: string): Uint8Array {
  const v = key.get(label);
  if (!(v instanceof Uint8Array)) throw new HarnessError('BAD_COSE_KEY', `COSE_Key ${what} (label ${label}) must be a byte string`);
  return v;
}

/**
 * COSE_Key (RFC 9052 §7, RFC 9053) to a node:crypto KeyObject. Checks the parameters the
 * key type requires and that `alg` fits the key type (WebAuthn L3 §5.8.5).
 */
export function coseKeyToPublicKey(key: Map<number | string, CborValue>): PublicKeyInfo {
  const kty = key.get(1);
  const alg = key.get(3);
  if (typeof kty !== 'number') throw new HarnessError('BAD_COSE_KEY', 'COSE_Key has no integer kty (label 1)');
  if (typeof alg !== 'number') throw new HarnessError('BAD_COSE_KEY', 'COSE_Key has no integer alg (label 3)');
  const algName = COSE_ALG_NAMES[alg] ?? `COSE ${alg}`;
  const ktyName = KTY_NAMES[kty] ?? `kty ${kty}`;
  try {
    if (kty === 2) {
      const crv = key.get(-1);
      const curve = typeof crv === 'number' ? EC_CURVES[crv] : undefined;
      if (!curve) throw new HarnessError('BAD_COSE_KEY', `EC2 key with unsupported curve ${String(crv)} (expected 1 P-256, 2 P-384 or 3 P-521)`);
      if (curve.alg !== alg) throw new HarnessError('BAD_COSE_KEY', `EC2 key on ${curve.jwk} declares alg ${algName}; expected ${COSE_ALG_NAMES[curve.alg]}`);
      const x = bytesAt(key, -2, 'x');
      const y = bytesAt(key, -3, 'y');
      if (x.length !== curve.size || y.length !== curve.size) {
        throw new HarnessError('BAD_COSE_KEY', `EC2 ${curve.jwk} coordinates must be ${curve.size} bytes, got x=${x.length} y=${y.length}`);
      }
      const keyObject = crypto.createPublicKey({
        key: { kty: 'EC', crv: curve.jwk, x: Buffer.from(x).toString('base64url'), y: Buffer.from(y).toString('base64url') },
        format: 'jwk',
      });
      return { kty: ktyName, alg, algName, crv: curve.jwk, size: curve.size * 8, keyObject };
    }
    if (kty === 1) {
      // RFC 9053 §7.2: OKP curves 6 Ed25519 and 7 Ed448, both signing with EdDSA (-8)
      const crv = key.get(-1);
      const curve = crv === 6 ? { name: 'Ed25519', size: 32 } : crv === 7 ? { name: 'Ed448', size: 57 } : undefined;
      if (!curve) throw new HarnessError('BAD_COSE_KEY', `OKP key with unsupported curve ${String(crv)} (expected 6 Ed25519 or 7 Ed448)`);
      if (alg !== COSE_ALG.EdDSA) throw new HarnessError('BAD_COSE_KEY', `${curve.name} key declares alg ${algName}; expected EdDSA (-8)`);
      const x = bytesAt(key, -2, 'x');
      if (x.length !== curve.size) throw new HarnessError('BAD_COSE_KEY', `${curve.name} public key must be ${curve.size} bytes, got ${x.length}`);
      const keyObject = crypto.createPublicKey({ key: { kty: 'OKP', crv: curve.name, x: Buffer.from(x).toString('base64url') }, format: 'jwk' });
      return { kty: ktyName, alg, algName, crv: curve.name, keyObject };
    }
    if (kty === 3) {
      if (![COSE_ALG.RS256, COSE_ALG.RS384, COSE_ALG.RS512, COSE_ALG.PS256, COSE_ALG.RS1].includes(alg as -257)) {
        throw new HarnessError('BAD_COSE_KEY', `RSA key declares alg ${algName}; expected RS256/RS384/RS512/PS256/RS1`);
      }
      const n = bytesAt(key, -1, 'n');
      const e = bytesAt(key, -2, 'e');
      const keyObject = crypto.createPublicKey({
        key: { kty: 'RSA', n: Buffer.from(n).toString('base64url'), e: Buffer.from(e).toString('base64url') },
        format: 'jwk',
      });
      return { kty: ktyName, alg, algName, size: keyObject.asymmetricKeyDetails?.modulusLength, keyObject };
    }
    if (kty === 7) {
      const name = ML_DSA[alg];
      if (!name) throw new HarnessError('BAD_COSE_KEY', `AKP key declares alg ${algName}; expected ML-DSA-44/65/87`);
      const pub = bytesAt(key, -1, 'pub');
      const keyObject = crypto.createPublicKey({ key: { kty: 'AKP', alg: name, pub: Buffer.from(pub).toString('base64url') } as crypto.JsonWebKey, format: 'jwk' });
      return { kty: ktyName, alg, algName: name, keyObject };
    }
  } catch (e) {
    if (e instanceof HarnessError) throw e;
    throw new HarnessError('BAD_COSE_KEY', `COSE_Key (${ktyName}, ${algName}) is not a valid public key: ${(e as Error).message}`, { cause: e });
  }
  throw new HarnessError('BAD_COSE_KEY', `unsupported COSE key type ${ktyName}`);
}

const ALG_KEY_TYPE: Record<number, string> = {
  [COSE_ALG.ES256]: 'ec', [COSE_ALG.ES384]: 'ec', [COSE_ALG.ES512]: 'ec',
  [COSE_ALG.RS256]: 'rsa', [COSE_ALG.RS384]: 'rsa', [COSE_ALG.RS512]: 'rsa', [-65535]: 'rsa', [COSE_ALG.PS256]: 'rsa',
  [COSE_ALG.EdDSA]: 'eddsa',
  [COSE_ALG.ML_DSA_44]: 'ml-dsa-44', [COSE_ALG.ML_DSA_65]: 'ml-dsa-65', [COSE_ALG.ML_DSA_87]: 'ml-dsa-87',
};

/**
 * Verify a WebAuthn signature with a COSE algorithm (WebAuthn L3 §6.5.5 signature formats).
 * The algorithm must fit the key: node:crypto would otherwise happily check an "RS256"
 * signature as ECDSA because the key is EC, hiding an alg/key mismatch.
 */
export function verifyCoseSignature(alg: number, key: crypto.KeyObject, data: Uint8Array, sig: Uint8Array): boolean {
  const kt = key.asymmetricKeyType;
  if (ALG_KEY_TYPE[alg] !== (kt === 'rsa-pss' ? 'rsa' : kt === 'ed25519' || kt === 'ed448' ? 'eddsa' : kt)) return false;
  try {
    switch (alg) {
      case COSE_ALG.ES256:
      case COSE_ALG.RS256:
        return crypto.verify('sha256', data, key, sig);
      case COSE_ALG.ES384:
      case COSE_ALG.RS384:
        return crypto.verify('sha384', data, key, sig);
      case COSE_ALG.ES512:
      case COSE_ALG.RS512:
        return crypto.verify('sha512', data, key, sig);
      case -65535:
        // RS1: RSASSA-PKCS1-v1_5 with SHA-1: TPM attestation statements (§8.3), and credentials of RPs that still offer it
        return crypto.verify('sha1', data, key, sig);
      case COSE_ALG.PS256:
        return crypto.verify('sha256', data, { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig);
      case COSE_ALG.EdDSA:
      case COSE_ALG.ML_DSA_44:
      case COSE_ALG.ML_DSA_65:
      case COSE_ALG.ML_DSA_87:
        return crypto.verify(null, data, key, sig);
      default:
        return false;
    }
  } catch {
    // malformed DER signatures make node:crypto throw; for the RP that is simply "does not verify"
    return false;
  }
}
