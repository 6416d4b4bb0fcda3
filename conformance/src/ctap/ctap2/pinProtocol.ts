import crypto from 'node:crypto';
import type { CborValue } from '../../cbor/decodeCbor.ts';
import { HarnessError } from '../../errors/HarnessError.ts';

/** A COSE_Key (EC2, P-256) used for key agreement: alg -25 "ECDH-ES+HKDF-256" (CTAP 2.1 §6.5.6). */
export type CoseKeyAgreement = Map<number, number | Uint8Array>;

/**
 * One PIN/UV auth protocol (CTAP 2.1 §6.5.4): key agreement, encrypt, decrypt, authenticate.
 * Protocol 1 and 2 are two implementations of this one interface, used by both the platform
 * (the CTAP client) and the software authenticator.
 */
export interface PinUvAuthProtocol {
  readonly version: 1 | 2;
  /** the shared secret from ECDH's Z (kdf of §6.5.6 / §6.5.7) */
  kdf(z: Uint8Array): Uint8Array;
  encrypt(key: Uint8Array, plaintext: Uint8Array): Uint8Array;
  decrypt(key: Uint8Array, ciphertext: Uint8Array): Uint8Array;
  authenticate(key: Uint8Array, message: Uint8Array): Uint8Array;
  verify(key: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}

const ZERO_IV = new Uint8Array(16);

function aesCbc(mode: 'enc' | 'dec', key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  if (data.length % 16 !== 0) throw new HarnessError('DEVICE_PROTOCOL', `AES-256-CBC data must be a multiple of 16 bytes, got ${data.length}`);
  const c = mode === 'enc' ? crypto.createCipheriv('aes-256-cbc', key, iv) : crypto.createDecipheriv('aes-256-cbc', key, iv);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

const hmac = (key: Uint8Array, m: Uint8Array) => new Uint8Array(crypto.createHmac('sha256', key).update(m).digest());
const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && crypto.timingSafeEqual(a, b);

/** Protocol 1 (CTAP 2.0): SHA-256(Z); AES-256-CBC with a zero IV; HMAC-SHA-256 truncated to 16 bytes. */
export const PIN_PROTOCOL_1: PinUvAuthProtocol = {
  version: 1,
  kdf: (z) => new Uint8Array(crypto.createHash('sha256').update(z).digest()),
  encrypt: (key, pt) => aesCbc('enc', key, ZERO_IV, pt),
  decrypt: (key, ct) => aesCbc('dec', key, ZERO_IV, ct),
  authenticate: (key, m) => hmac(key, m).subarray(0, 16),
  verify: (key, m, sig) => sig.length === 16 && equal(hmac(key, m).subarray(0, 16), sig),
};

/**
 * Protocol 2 (CTAP 2.1): HKDF-SHA-256 gives an HMAC key and an AES key; AES-256-CBC with a
 * random IV sent in front of the ciphertext; full 32-byte HMAC-SHA-256. A 64-byte key is the
 * shared secret (HMAC key, then AES key); a 32-byte key is a pinUvAuthToken.
 */
export const PIN_PROTOCOL_2: PinUvAuthProtocol = {
  version: 2,
  kdf: (z) => {
    const salt = new Uint8Array(32);
    const part = (info: string) => new Uint8Array(crypto.hkdfSync('sha256', z, salt, info, 32));
    return Uint8Array.from([...part('CTAP2 HMAC key'), ...part('CTAP2 AES key')]);
  },
  encrypt: (key, pt) => {
    const iv = new Uint8Array(crypto.randomBytes(16));
    return Uint8Array.from([...iv, ...aesCbc('enc', aesKey(key), iv, pt)]);
  },
  decrypt: (key, ct) => {
    if (ct.length < 16) throw new HarnessError('DEVICE_PROTOCOL', `protocol 2 ciphertext of ${ct.length} bytes has no IV`);
    return aesCbc('dec', aesKey(key), ct.subarray(0, 16), ct.subarray(16));
  },
  authenticate: (key, m) => hmac(key.subarray(0, 32), m),
  verify: (key, m, sig) => sig.length === 32 && equal(hmac(key.subarray(0, 32), m), sig),
};

function aesKey(key: Uint8Array): Uint8Array {
  // the shared secret's second half; a bare 32-byte key (a test's) is used as is
  return key.length === 64 ? key.subarray(32) : key;
}

export const PIN_PROTOCOLS: Readonly<Record<1 | 2, PinUvAuthProtocol>> = { 1: PIN_PROTOCOL_1, 2: PIN_PROTOCOL_2 };

export function pinProtocol(version: number): PinUvAuthProtocol | undefined {
  return version === 1 || version === 2 ? PIN_PROTOCOLS[version] : undefined;
}

/** A fresh P-256 key pair for key agreement, and its public key as the COSE map CTAP sends. */
export function keyAgreementKeyPair(): { privateKey: crypto.KeyObject; cose: CoseKeyAgreement } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, cose: publicKeyToCose(publicKey) };
}

export function publicKeyToCose(publicKey: crypto.KeyObject): CoseKeyAgreement {
  const j = publicKey.export({ format: 'jwk' });
  return new Map<number, number | Uint8Array>([[1, 2], [3, -25], [-1, 1], [-2, new Uint8Array(Buffer.from(j.x!, 'base64url'))], [-3, new Uint8Array(Buffer.from(j.y!, 'base64url'))]]);
}

/** The peer's COSE key agreement key as a node KeyObject; bad input (not EC2 P-256, off the curve) is refused. */
export function coseToPublicKey(cose: CborValue, what: string): crypto.KeyObject {
  if (!(cose instanceof Map)) throw new HarnessError('DEVICE_PROTOCOL', `${what}: keyAgreement is not a COSE_Key map`);
  const x = cose.get(-2);
  const y = cose.get(-3);
  if (cose.get(1) !== 2 || cose.get(-1) !== 1 || !(x instanceof Uint8Array) || !(y instanceof Uint8Array) || x.length !== 32 || y.length !== 32) {
    throw new HarnessError('DEVICE_PROTOCOL', `${what}: keyAgreement must be an EC2 P-256 COSE_Key (kty 2, crv 1, 32-byte x and y)`);
  }
  try {
    return crypto.createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: Buffer.from(x).toString('base64url'), y: Buffer.from(y).toString('base64url') }, format: 'jwk' });
  } catch (e) {
    throw new HarnessError('DEVICE_PROTOCOL', `${what}: keyAgreement is not a point on P-256: ${(e as Error).message}`, { cause: e });
  }
}

/** ECDH: the shared point's x-coordinate, Z. */
export function ecdh(privateKey: crypto.KeyObject, peer: crypto.KeyObject): Uint8Array {
  return new Uint8Array(crypto.diffieHellman({ privateKey, publicKey: peer }));
}

/**
 * The platform's half of key agreement (encapsulate, §6.5.6): a fresh key pair, the shared
 * secret with the authenticator's key, and the COSE key to send it.
 */
export function encapsulate(protocol: PinUvAuthProtocol, peerCose: CborValue): { keyAgreement: CoseKeyAgreement; sharedSecret: Uint8Array } {
  const peer = coseToPublicKey(peerCose, 'getKeyAgreement');
  const own = keyAgreementKeyPair();
  return { keyAgreement: own.cose, sharedSecret: protocol.kdf(ecdh(own.privateKey, peer)) };
}

/** A PIN as CTAP carries it: LEFT(SHA-256(pin), 16) for verification, padded to 64 bytes for setPIN. */
export function pinHashLeft16(pin: string): Uint8Array {
  return new Uint8Array(crypto.createHash('sha256').update(pin, 'utf8').digest().subarray(0, 16));
}

export function paddedPin(pin: string): Uint8Array {
  const b = Buffer.from(pin, 'utf8');
  if (b.length > 63) throw new HarnessError('BAD_USAGE', 'a PIN is at most 63 bytes of UTF-8');
  const out = new Uint8Array(64);
  out.set(b);
  return out;
}
