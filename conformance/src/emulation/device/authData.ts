import crypto from 'node:crypto';
import type { DeviceContext, DeviceTamper } from './DeviceContext.ts';

/** Defects of the authenticator data the key signs (WebAuthn L3 §6.1, §6.5.1). */
export const AUTH_DATA_FAULTS = {
  noUP: 'UP flag cleared',
  bsWithoutBe: 'backup state without backup eligibility',
  uvWithoutVerification: 'UV claimed without verification',
  wrongRpIdHash: 'rpIdHash of another RP ID',
  coseKeyMiscounted: 'a COSE key map claiming one more entry than it holds',
  truncatedAaguid: 'authenticator data cut inside the AAGUID',
  trailingCbor: "trailing CBOR (a stray item after the authenticator data's last field)",
} as const;

const sha256 = (b: Uint8Array | string) => new Uint8Array(crypto.createHash('sha256').update(b).digest());

/** The flags byte: UP and UV as the command established them, then the one-shot tamper and the faults. */
export function authDataFlags(d: DeviceContext, t: DeviceTamper, o: { up: boolean; uv: boolean }): number {
  let f = o.up && !t.clearUP ? 0x01 : 0;
  if ((o.uv || t.setUV) && !t.clearUV) f |= 0x04;
  if (d.faults.uvWithoutVerification) f |= 0x04;
  if (d.faults.noUP) f &= ~0x01;
  if (d.faults.bsWithoutBe) f = (f | 0x10) & ~0x08;
  return f;
}

/**
 * rpIdHash | flags | signCount | attested credential data | extensions (WebAuthn L3 §6.1). The AT
 * and ED bits follow what is present.
 */
export function buildAuthData(d: DeviceContext, o: { rpIdHash: Uint8Array; flags: number; counter: number; attested?: Uint8Array; extensions?: Uint8Array }): Uint8Array {
  const head = new Uint8Array(37);
  head.set(d.faults.wrongRpIdHash ? sha256(Buffer.concat([Buffer.from('evil:'), Buffer.from(o.rpIdHash)])) : o.rpIdHash, 0);
  head[32] = o.flags | (o.attested ? 0x40 : 0) | (o.extensions ? 0x80 : 0);
  new DataView(head.buffer).setUint32(33, o.counter >>> 0);
  let attested = o.attested;
  if (attested) {
    // attested credential data: AAGUID 16 | credentialIdLength 2 | credentialId | COSE key …
    if (d.faults.coseKeyMiscounted) {
      attested = Uint8Array.from(attested);
      const at = 18 + ((attested[16]! << 8) | attested[17]!);
      attested[at] = attested[at]! + 1; // the COSE map claims one more entry than it has
    }
    if (d.faults.truncatedAaguid) attested = attested.subarray(0, 10);
  }
  const out = Uint8Array.from([...head, ...(attested ?? []), ...(attested && d.faults.truncatedAaguid ? [] : (o.extensions ?? []))]);
  // trailingCbor: an empty CBOR map after the last field, the ED flag left clear (signed over, as a key would)
  return d.faults.trailingCbor ? Uint8Array.from([...out, 0xa0]) : out;
}

export { sha256 };
