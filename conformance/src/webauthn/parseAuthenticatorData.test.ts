import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseAuthenticatorData } from './parseAuthenticatorData.ts';
import { encodeCbor } from '../cbor/encodeCbor.ts';
import { HarnessError } from '../errors/HarnessError.ts';

const cose = encodeCbor(new Map<number, unknown>([[1, 2], [3, -7], [-1, 1], [-2, new Uint8Array(32).fill(1)], [-3, new Uint8Array(32).fill(2)]]));

function build(o: { flags: number; count?: number; idLen?: number; key?: Uint8Array; ext?: Uint8Array; tail?: Uint8Array }) {
  const head = Buffer.alloc(37);
  crypto.createHash('sha256').update('example.com').digest().copy(head);
  head[32] = o.flags;
  head.writeUInt32BE(o.count ?? 7, 33);
  const parts: Uint8Array[] = [head];
  if (o.flags & 0x40) {
    const id = crypto.randomBytes(o.idLen ?? 16);
    parts.push(new Uint8Array(16).fill(0xaa), Buffer.from([id.length >> 8, id.length & 0xff]), id, o.key ?? cose);
  }
  if (o.ext) parts.push(o.ext);
  if (o.tail) parts.push(o.tail);
  return new Uint8Array(Buffer.concat(parts));
}

function rejects(b: Uint8Array, re: RegExp) {
  expect(() => parseAuthenticatorData(b)).toThrow(re);
  try {
    parseAuthenticatorData(b);
  } catch (e) {
    expect(e).toBeInstanceOf(HarnessError);
  }
}

describe('parseAuthenticatorData (WebAuthn L3 §6.1)', () => {
  it('reads flags, counter, attested credential data and extensions', () => {
    const ext = encodeCbor(new Map<string, unknown>([['credProtect', 2], ['hmac-secret', true]]));
    const ad = parseAuthenticatorData(build({ flags: 0x01 | 0x04 | 0x08 | 0x40 | 0x80, count: 42, idLen: 64, ext }));
    expect(ad.flags).toMatchObject({ UP: true, UV: true, BE: true, BS: false, AT: true, ED: true });
    expect(ad.signCount).toBe(42);
    expect(ad.attestedCredentialData!.credentialId).toHaveLength(64);
    expect(ad.attestedCredentialData!.aaguid).toEqual(new Uint8Array(16).fill(0xaa));
    expect(ad.attestedCredentialData!.publicKeyBytes).toEqual(cose);
    expect(ad.extensions!.get('credProtect')).toBe(2);
    expect(ad.nonCanonical).toEqual([]);
  });

  it('an assertion authData is exactly 37 bytes without extensions', () => {
    expect(parseAuthenticatorData(build({ flags: 0x05 })).bytes).toHaveLength(37);
  });

  it('rejects what the flags promise but the bytes lack, and bytes nothing accounts for', () => {
    rejects(new Uint8Array(36), /at least 37/);
    rejects(build({ flags: 0x41 }).subarray(0, 50), /at byte offset 37: expected attested credential data/);
    rejects(build({ flags: 0x41 }).subarray(0, 60), /credential ID claims|truncated/);
    rejects(build({ flags: 0x81 }), /no extensions follow/);
    rejects(build({ flags: 0x01, tail: new Uint8Array([0]) }), /trailing/);
    rejects(build({ flags: 0x41, tail: new Uint8Array([0]) }), /trailing/);
    rejects(build({ flags: 0x41, key: encodeCbor([1, 2]) }), /COSE_Key/);
    rejects(build({ flags: 0x81, ext: encodeCbor('x') }), /not a CBOR map/);
  });

  it('enforces the 1023-byte credential ID limit (§6.5.1)', () => {
    rejects(build({ flags: 0x41, idLen: 1024 }), /at most 1023/);
    expect(parseAuthenticatorData(build({ flags: 0x41, idLen: 1023 })).attestedCredentialData!.credentialId).toHaveLength(1023);
  });

  it('every truncation of a full authData is refused with a HarnessError', () => {
    const full = build({ flags: 0xc5, ext: encodeCbor(new Map([['credProtect', 1]])) });
    for (let n = 0; n < full.length; n++) rejects(full.subarray(0, n), /./);
  });
});

describe('trailing bytes', () => {
  it('refused by default; with allowTrailing, counted and everything before them still read', () => {
    const b = build({ flags: 0x41 | 0x80, ext: encodeCbor(new Map([['credProtect', 2]])), tail: new Uint8Array([0xa0, 0x00]) });
    rejects(b, /2 trailing byte\(s\) after authenticatorData/);
    const a = parseAuthenticatorData(b, { allowTrailing: true });
    expect(a.trailing).toBe(2);
    expect(a.extensions?.get('credProtect')).toBe(2);
    expect(a.attestedCredentialData?.credentialId).toHaveLength(16);
    expect(a.bytes).toBe(b); // signatures cover every byte sent
    expect(parseAuthenticatorData(build({ flags: 0x01 }), { allowTrailing: true }).trailing).toBe(0);
  });
});
