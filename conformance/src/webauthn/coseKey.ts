import crypto from 'node:crypto';
import { HarnessError } from '../errors/HarnessError.ts';
import type { CborValue } from '../cbor/decodeCbor.ts';
import { COSE_ALGORITHMS, COSE_CURVES, UNVERIFIED_COSE_ALGORITHMS, coseAlgorithm, coseAlgorithmLabel, coseCurve, opensslCurve, HASH_BYTES, type CoseAlgorithm } from './coseAlgorithms.ts';

/** COSE algorithm identifiers by name (IANA COSE registry; the table in coseAlgorithms.ts says how each verifies). */
export const COSE_ALG = {
  ES256: -7,
  EdDSA: -8,
  ESP256: -9,
  Ed25519: -19,
  ES384: -35,
  ES512: -36,
  PS256: -37,
  PS384: -38,
  PS512: -39,
  ES256K: -47,
  ML_DSA_44: -48,
  ML_DSA_65: -49,
  ML_DSA_87: -50,
  ESP384: -51,
  ESP512: -52,
  Ed448: -53,
  RS256: -257,
  RS384: -258,
  RS512: -259,
  ESB256: -265,
  ESB320: -266,
  ESB384: -267,
  ESB512: -268,
  /** RSASSA-PKCS1-v1_5 with SHA-1: deprecated, but RPs (and TPM keys) still use it */
  RS1: -65535,
} as const;

/** Every COSE algorithm this harness verifies on this runtime: what inspect assumes an RP offered when the wrapper does not say. */
export const VERIFIABLE_ALGORITHMS: readonly number[] = COSE_ALGORITHMS.filter((a) => runtimeVerifies(a)).map((a) => a.id);

/** Every registered signature algorithm the harness knows by name (verifiable or not). */
export const KNOWN_ALGORITHMS: readonly number[] = [...COSE_ALGORITHMS.map((a) => a.id), ...Object.keys(UNVERIFIED_COSE_ALGORITHMS).map(Number)];

export const COSE_ALG_NAMES: Record<number, string> = Object.fromEntries([
  ...COSE_ALGORITHMS.map((a) => [a.id, a.name]),
  ...Object.entries(UNVERIFIED_COSE_ALGORITHMS).map(([k, v]) => [Number(k), v]),
]);

/** node:crypto of this runtime has the algorithm (ML-DSA arrived in Node 24) */
function runtimeVerifies(a: CoseAlgorithm): boolean {
  if (a.kty !== 7) return true;
  try {
    crypto.generateKeyPairSync(a.name.toLowerCase() as 'ed25519');
    return true;
  } catch {
    return false;
  }
}

/** Whether a signature under this COSE algorithm can be checked here at all. */
export function isVerifiableAlgorithm(alg: number): boolean {
  return VERIFIABLE_ALGORITHMS.includes(alg);
}

/** The reason a signature under `alg` is not checked: "not verifiable by this harness" (never the key's fault). */
export function notVerifiableReason(alg: number): string {
  return `${coseAlgorithmLabel(alg)} is not verifiable by this harness${UNVERIFIED_COSE_ALGORITHMS[alg] ? ' (node:crypto has no implementation)' : COSE_ALG_NAMES[alg] ? ' on this Node.js runtime' : ' (not a COSE signature algorithm it knows)'}: not judged, the key is not blamed`;
}

const KTY_NAMES: Record<number, string> = { 1: 'OKP', 2: 'EC2', 3: 'RSA', 7: 'AKP' };
const CURVE_NAMES: Record<number, string> = { 4: 'X25519', 5: 'X448', ...Object.fromEntries(COSE_CURVES.map((c) => [c.crv, c.name])) };
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

/** A DER length */
function derLen(n: number): number[] {
  return n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
}
function derOid(oid: string): number[] {
  const parts = oid.split('.').map(Number);
  const body = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const bytes = [p & 0x7f];
    for (let v = p >> 7; v; v >>= 7) bytes.unshift(0x80 | (v & 0x7f));
    body.push(...bytes);
  }
  return [0x06, ...derLen(body.length), ...body];
}
/** SubjectPublicKeyInfo of an EC point on a named curve (RFC 5480 §2): for curves node:crypto has no JWK name for */
function ecSpki(curveOid: string, x: Uint8Array, y: Uint8Array): Buffer {
  const algId = [...derOid('1.2.840.10045.2.1'), ...derOid(curveOid)];
  const bits = [0x00, 0x04, ...x, ...y];
  const body = [0x30, ...derLen(algId.length), ...algId, 0x03, ...derLen(bits.length), ...bits];
  return Buffer.from([0x30, ...derLen(body.length), ...body]);
}

/**
 * COSE_Key (RFC 9052 §7, RFC 9053) to a node:crypto KeyObject. Checks the parameters the
 * key type requires and that `alg` fits the key type and curve (WebAuthn L3 §5.8.5, RFC 9864).
 * A well-formed key under a registered algorithm this harness cannot verify throws
 * UNSUPPORTED_ALGORITHM (not judged), never BAD_COSE_KEY (the key's defect).
 */
export function coseKeyToPublicKey(key: Map<number | string, CborValue>): PublicKeyInfo {
  const kty = key.get(1);
  const alg = key.get(3);
  if (typeof kty !== 'number') throw new HarnessError('BAD_COSE_KEY', 'COSE_Key has no integer kty (label 1)');
  if (typeof alg !== 'number') throw new HarnessError('BAD_COSE_KEY', 'COSE_Key has no integer alg (label 3)');
  const ktyName = KTY_NAMES[kty] ?? `kty ${kty}`;
  const a = coseAlgorithm(alg);
  if (!a || !isVerifiableAlgorithm(alg)) throw new HarnessError('UNSUPPORTED_ALGORITHM', `credential key (${ktyName}) under ${notVerifiableReason(alg)}`);
  const algName = a.name;
  if (a.kty !== kty) throw new HarnessError('BAD_COSE_KEY', `${ktyName} key declares alg ${coseAlgorithmLabel(alg)}, an algorithm for ${KTY_NAMES[a.kty]} keys`);
  try {
    if (kty === 2 || kty === 1) {
      const crvLabel = key.get(-1);
      const curve = typeof crvLabel === 'number' ? coseCurve(crvLabel) : undefined;
      if (!curve || curve.kty !== kty) throw new HarnessError('BAD_COSE_KEY', `${ktyName} key with unsupported curve ${String(crvLabel)} (expected ${COSE_CURVES.filter((c) => c.kty === kty).map((c) => `${c.crv} ${c.name}`).join(', ')})`);
      if (!a.curves!.includes(curve.crv)) {
        const twins = COSE_ALGORITHMS.filter((t) => t.curves?.includes(curve.crv)).map((t) => coseAlgorithmLabel(t.id));
        throw new HarnessError('BAD_COSE_KEY', `${curve.name} key declares alg ${coseAlgorithmLabel(alg)}, which names ${a.curves!.map((c) => coseCurve(c)?.name).join('/')} keys only (${a.source}); a ${curve.name} key is labelled ${twins.join(' or ')}`);
      }
      const x = bytesAt(key, -2, 'x');
      if (kty === 1) {
        if (x.length !== curve.size) throw new HarnessError('BAD_COSE_KEY', `${curve.name} public key must be ${curve.size} bytes, got ${x.length}`);
        const keyObject = crypto.createPublicKey({ key: { kty: 'OKP', crv: curve.jwk!, x: Buffer.from(x).toString('base64url') }, format: 'jwk' });
        return { kty: ktyName, alg, algName, crv: curve.name, keyObject };
      }
      const y = bytesAt(key, -3, 'y');
      if (x.length !== curve.size || y.length !== curve.size) {
        throw new HarnessError('BAD_COSE_KEY', `EC2 ${curve.name} coordinates must be ${curve.size} bytes, got x=${x.length} y=${y.length}`);
      }
      const keyObject = curve.jwk
        ? crypto.createPublicKey({ key: { kty: 'EC', crv: curve.jwk, x: Buffer.from(x).toString('base64url'), y: Buffer.from(y).toString('base64url') }, format: 'jwk' })
        : crypto.createPublicKey({ key: ecSpki(curve.oid!, x, y), format: 'der', type: 'spki' });
      return { kty: ktyName, alg, algName, crv: curve.name, size: curve.size * 8, keyObject };
    }
    if (kty === 3) {
      const n = bytesAt(key, -1, 'n');
      const e = bytesAt(key, -2, 'e');
      const keyObject = crypto.createPublicKey({
        key: { kty: 'RSA', n: Buffer.from(n).toString('base64url'), e: Buffer.from(e).toString('base64url') },
        format: 'jwk',
      });
      return { kty: ktyName, alg, algName, size: keyObject.asymmetricKeyDetails?.modulusLength, keyObject };
    }
    const pub = bytesAt(key, -1, 'pub');
    const keyObject = crypto.createPublicKey({ key: { kty: 'AKP', alg: algName, pub: Buffer.from(pub).toString('base64url') } as crypto.JsonWebKey, format: 'jwk' });
    return { kty: ktyName, alg, algName, keyObject };
  } catch (e) {
    if (e instanceof HarnessError) throw e;
    throw new HarnessError('BAD_COSE_KEY', `COSE_Key (${ktyName}, ${algName}) is not a valid public key: ${(e as Error).message}`, { cause: e });
  }
}

/** the node:crypto key types an algorithm's key may have */
const KEY_TYPES: Record<number, readonly string[]> = { 1: ['ed25519', 'ed448'], 2: ['ec'], 3: ['rsa', 'rsa-pss'] };

/** node:crypto's algorithm and key for one COSE algorithm, or undefined when the key does not fit it */
function signatureInputs(alg: number, key: crypto.KeyObject): { hash: string | null; key: crypto.KeyObject | crypto.VerifyKeyObjectInput } | undefined {
  const a = coseAlgorithm(alg);
  if (!a) return undefined;
  const kt = key.asymmetricKeyType ?? '';
  if (a.kty === 7 ? kt !== a.name.toLowerCase() : !KEY_TYPES[a.kty]!.includes(kt)) return undefined;
  if (a.kty === 1 && !a.curves!.some((c) => coseCurve(c)!.name.toLowerCase() === kt)) return undefined;
  if (a.kty === 2) {
    const named = namedCurveOf(key);
    const want = a.curves!.map((c) => coseCurve(c)!);
    if (!want.some((c) => named === opensslCurve(c))) return undefined;
  }
  return a.pss ? { hash: a.hash!, key: { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_BYTES[a.hash!] } } : { hash: a.hash ?? null, key };
}

/** a KeyObject's curve, read once per KeyObject (node:crypto builds a new details object on every read) */
const namedCurves = new WeakMap<crypto.KeyObject, string | undefined>();
function namedCurveOf(key: crypto.KeyObject): string | undefined {
  if (!namedCurves.has(key)) namedCurves.set(key, key.asymmetricKeyDetails?.namedCurve);
  return namedCurves.get(key);
}

/**
 * Verify a WebAuthn signature with a COSE algorithm (WebAuthn L3 §6.5.5 signature formats).
 * The algorithm must fit the key: node:crypto would otherwise happily check an "RS256"
 * signature as ECDSA because the key is EC, hiding an alg/key mismatch. An EdDSA-family or
 * ECDSA algorithm must also fit the key's curve (Ed448 under Ed25519 is a mismatch). Callers
 * ask isVerifiableAlgorithm first: an algorithm this harness cannot verify answers false.
 */
export function verifyCoseSignature(alg: number, key: crypto.KeyObject, data: Uint8Array, sig: Uint8Array): boolean {
  const inputs = signatureInputs(alg, key);
  if (!inputs) return false;
  try {
    return crypto.verify(inputs.hash, data, inputs.key, sig);
  } catch {
    // malformed DER signatures make node:crypto throw; for the RP that is simply "does not verify"
    return false;
  }
}

/**
 * The same judgement as verifyCoseSignature, computed on libuv's thread pool: a server's event
 * loop goes on with other requests while the signature is checked.
 */
export function verifyCoseSignatureOffThread(alg: number, key: crypto.KeyObject, data: Uint8Array, sig: Uint8Array): Promise<boolean> {
  const inputs = signatureInputs(alg, key);
  if (!inputs) return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      crypto.verify(inputs.hash, data, inputs.key, sig, (err, ok) => resolve(!err && ok));
    } catch {
      resolve(false);
    }
  });
}
