import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PIN_PROTOCOL_1, PIN_PROTOCOL_2, ecdh, pinHashLeft16, encapsulate, keyAgreementKeyPair, coseToPublicKey, paddedPin } from './pinProtocol.ts';

/**
 * Known-answer values for PIN/UV auth protocols 1 and 2 (CTAP 2.1 §6.5.6, §6.5.7). The two
 * key pairs are test keys made for this file; every expected value was computed with OpenSSL
 * 3.0, not with this code:
 *   Z        openssl pkeyutl -derive -inkey platform.pem -peerkey auth_pub.pem
 *   p1       openssl dgst -sha256 (of Z)
 *   p2 keys  openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt hexkey:Z -kdfopt hexsalt:00..00
 *            -kdfopt info:"CTAP2 HMAC key" | "CTAP2 AES key" HKDF
 *   encrypt  openssl enc -aes-256-cbc -nopad -K <key> -iv <iv>  (protocol 1: a zero IV)
 *   auth     openssl dgst -sha256 -mac HMAC -macopt hexkey:<key>
 */
const PLATFORM = `-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIOO3Zmp34Napx3rtEraLN1ZgYgU8iGYB//2+zuj6qkeFoAoGCCqGSM49
AwEHoUQDQgAE0oc6mcn41iId5Z9jKRrWyKhSi0wZT7JE4H5rqGkfGpPE44G1zjEM
mygj4RlDrzKGw0NG+IHGQx+XSxV63MxDAw==
-----END EC PRIVATE KEY-----`;
const AUTHENTICATOR = `-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIH5XlRfvh4vFKYAnYrYSBs5515SyUIQUemuOa8N3uABqoAoGCCqGSM49
AwEHoUQDQgAEBN0DprVWCHXXvByxw41ZffFPenYaihkO1qcfSVyOqj7MED1eXS77
C5oCBiObsVmwpiqrEXbSWs5M962YoNcA7A==
-----END EC PRIVATE KEY-----`;
const KAT = {
  z: 'c7f46b560e2673db4d02e920e0d786773f45edc9d1bfed2defc9adb9bca6415b',
  p1Shared: '6666ad8e1f812d38349c3ea3bea90aa9cf0bf535dd28e0b47efcfeec03c413c8',
  p2Hmac: '7429260491bd851bcbe11e8b6468106f52d3c1a97038bf9913825a8a4b81b816',
  p2Aes: 'a33ea7a1aafb8fc2d08f50006868299a0d5a5bda946f136b3c9f0621f52241dc',
  pinHash1234: '03ac674216f3e15c761ee1a5e255f067',
  p1Enc: 'aecb3afcad0f3dc612e2fbdb32369301',
  p1Auth: '4dde224eef209a6ed18533cbbd21f613',
  p2Enc: '0102030405060708090a0b0c0d0e0f10528a5e2e38d71b5e1b7f8a0eb043954b',
  p2Auth: '08525c9d0b8bc60f036892e92eec424dbf481b298365dc3db9cb9efaa1a1ea49',
};
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
const MESSAGE = new TextEncoder().encode('fido2-harness KAT message');

const platform = crypto.createPrivateKey(PLATFORM);
const authenticator = crypto.createPrivateKey(AUTHENTICATOR);

describe('PIN/UV auth protocols against known answers', () => {
  it('ECDH gives the same Z from both sides', () => {
    expect(hex(ecdh(platform, crypto.createPublicKey(authenticator)))).toBe(KAT.z);
    expect(hex(ecdh(authenticator, crypto.createPublicKey(platform)))).toBe(KAT.z);
  });

  it('protocol 1: kdf = SHA-256(Z); encrypt = AES-256-CBC with a zero IV; authenticate = HMAC truncated to 16 bytes', () => {
    const shared = PIN_PROTOCOL_1.kdf(bytes(KAT.z));
    expect(hex(shared)).toBe(KAT.p1Shared);
    expect(hex(pinHashLeft16('1234'))).toBe(KAT.pinHash1234);
    expect(hex(PIN_PROTOCOL_1.encrypt(shared, bytes(KAT.pinHash1234)))).toBe(KAT.p1Enc);
    expect(hex(PIN_PROTOCOL_1.decrypt(shared, bytes(KAT.p1Enc)))).toBe(KAT.pinHash1234);
    expect(hex(PIN_PROTOCOL_1.authenticate(shared, MESSAGE))).toBe(KAT.p1Auth);
    expect(PIN_PROTOCOL_1.verify(shared, MESSAGE, bytes(KAT.p1Auth))).toBe(true);
    expect(PIN_PROTOCOL_1.verify(shared, MESSAGE, bytes(KAT.p2Auth).subarray(0, 16))).toBe(false);
  });

  it('protocol 2: HKDF-SHA-256 gives the HMAC key then the AES key; the IV travels in front; full 32-byte HMAC', () => {
    const shared = PIN_PROTOCOL_2.kdf(bytes(KAT.z));
    expect(hex(shared.subarray(0, 32))).toBe(KAT.p2Hmac);
    expect(hex(shared.subarray(32))).toBe(KAT.p2Aes);
    expect(hex(PIN_PROTOCOL_2.decrypt(shared, bytes(KAT.p2Enc)))).toBe(KAT.pinHash1234);
    const enc = PIN_PROTOCOL_2.encrypt(shared, bytes(KAT.pinHash1234));
    expect(enc.length).toBe(32);
    expect(hex(PIN_PROTOCOL_2.decrypt(shared, enc))).toBe(KAT.pinHash1234);
    expect(hex(PIN_PROTOCOL_2.encrypt(shared, bytes(KAT.pinHash1234)).subarray(0, 16))).not.toBe(hex(enc.subarray(0, 16))); // a fresh IV each time
    expect(hex(PIN_PROTOCOL_2.authenticate(shared, MESSAGE))).toBe(KAT.p2Auth);
    expect(PIN_PROTOCOL_2.verify(shared, MESSAGE, bytes(KAT.p2Auth))).toBe(true);
    expect(PIN_PROTOCOL_2.verify(shared, MESSAGE, bytes(KAT.p2Auth).subarray(0, 16))).toBe(false);
  });

  it('encapsulate on the platform and the authenticator\'s decapsulation agree, for both protocols', () => {
    const device = keyAgreementKeyPair();
    for (const p of [PIN_PROTOCOL_1, PIN_PROTOCOL_2]) {
      const { keyAgreement, sharedSecret } = encapsulate(p, device.cose);
      const mine = p.kdf(ecdh(device.privateKey, coseToPublicKey(keyAgreement, 'platform key')));
      expect(hex(mine)).toBe(hex(sharedSecret));
    }
  });

  it('refuses what is not a key agreement key or a protocol message', () => {
    expect(() => coseToPublicKey(new Map<number, number | Uint8Array>([[1, 2], [-1, 1], [-2, new Uint8Array(32)], [-3, new Uint8Array(32)]]), 'k')).toThrow(/not a point on P-256/);
    expect(() => coseToPublicKey(new Map([[1, 1]]), 'k')).toThrow(/EC2 P-256/);
    expect(() => PIN_PROTOCOL_1.decrypt(new Uint8Array(32), new Uint8Array(15))).toThrow(/multiple of 16/);
    expect(() => PIN_PROTOCOL_2.decrypt(new Uint8Array(64), new Uint8Array(8))).toThrow(/no IV/);
    expect(paddedPin('1234').length).toBe(64);
    expect(() => paddedPin('x'.repeat(64))).toThrow(/63 bytes/);
  });
});
