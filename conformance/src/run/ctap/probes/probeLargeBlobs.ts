import crypto from 'node:crypto';
import { CTAP2, PERMISSION } from '../../../ctap/constants.ts';
import { statusName } from '../../../ctap/status.ts';
import { encodeCanonical } from '../../../cbor/encodeCanonical.ts';
import { LargeBlobs, parseLargeBlobArray, sealLargeBlob, serializeLargeBlobArray } from '../../../ctap/ctap2/largeBlobs.ts';
import { largeBlob } from '../../../ctap/ctap2/extensions/largeBlob.ts';
import { toBase64url } from '../../../encoding/base64url.ts';
import type { LargeBlobExtensionProbe, LargeBlobsProbe } from '../../../checks/ctap/CtapEvidence.ts';
import { PROBE_RP_ID, attempt, statusOf, type CtapSession } from '../CtapSession.ts';

const sha256 = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest();
const hashOk = (a: Uint8Array) => a.length >= 17 && sha256(a.subarray(0, a.length - 16)).subarray(0, 16).equals(Buffer.from(a.subarray(a.length - 16)));

/**
 * authenticatorLargeBlobs (CTAP 2.1 §6.10; the FIDO LargeBlobs-1 script): the array read and its
 * trailing hash checked; a write without a token refused on a protected key; an array with a
 * wrong hash refused (CTAP2_ERR_INTEGRITY_FAILURE); an array with one more entry written in small
 * fragments and read back; the original array written back. The array is shared by every site
 * on the key, so the writes are destructive: only with --destructive, and the array is put back.
 */
export async function probeLargeBlobs(s: CtapSession): Promise<LargeBlobsProbe> {
  if (s.info.options.largeBlobs !== true) return { skipped: 'getInfo does not list largeBlobs', notApplicable: true };
  const reader = new LargeBlobs(s.ctap2, s.info.maxMsgSize);
  const original = await reader.read(s.call());
  const out: LargeBlobsProbe = { initialLength: original.length, initialHashOk: hashOk(original) };
  const gate = s.gate('--destructive', 'writes the large-blob array every site on the key shares (with one more entry, then as it was)');
  if (gate) return { ...out, ...gate };
  if (!out.initialHashOk) return { ...out, skipped: 'the array on the key does not end with its own hash: the probe does not write over it' };
  const protectedKey = s.info.options.clientPin === true || s.info.options.uv === true;
  if (protectedKey) {
    // the unchanged array, without a token: refused (or, on a faulty key, the same bytes again)
    out.withoutToken = await writeUnsigned(s, original);
  }
  const t = await s.token(PERMISSION.lbw, undefined, undefined, true);
  if (!t.token) return { ...out, skipped: `writing needs a token with lbw: ${t.why ?? 'none could be had'}` };
  const change = s.changed('the large-blob array written (one entry more), then written back as it was');
  // small fragments: the write and the read both go in several pieces
  const small = new LargeBlobs(s.ctap2, 128);
  const broken = Uint8Array.from(original);
  broken[broken.length - 1]! ^= 0x01;
  out.badHash = await small.write(broken, t.token, s.call()).then(() => 'OK', statusOf);
  const entries = parseLargeBlobArray(original);
  const ours = sealLargeBlob(new Uint8Array(crypto.randomBytes(32)), new Uint8Array(crypto.randomBytes(300)));
  const bigger = serializeLargeBlobArray([...entries, ours]);
  out.write = await small.write(bigger, t.token, s.call()).then(() => 'OK', statusOf);
  out.fragments = Math.ceil(bigger.length / small.fragment);
  out.readBackSame = Buffer.from(await small.read(s.call())).equals(Buffer.from(bigger));
  out.restore = await reader.write(original, t.token, s.call()).then(() => 'OK', statusOf);
  if (out.restore === 'OK' && Buffer.from(await reader.read(s.call())).equals(Buffer.from(original))) change.restored();
  return out;
}

/** A write of `array` at offset 0, in one piece, without pinUvAuthParam. */
async function writeUnsigned(s: CtapSession, array: Uint8Array): Promise<string> {
  return s.ctap2.raw(CTAP2.largeBlobs, encodeCanonical(new Map<number, Uint8Array | number>([[0x02, array], [0x03, 0], [0x04, array.length]])), s.call()).then((r) => (r.status === 0 ? 'OK' : statusName(r.status)), statusOf);
}

/**
 * The largeBlob extension (CTAP 2.3 §12.4; the FIDO largeBlob script), for keys that keep a blob
 * per credential instead: a discoverable credential made with support required, a blob written
 * at getAssertion, and read back. The credential (and its blob) is removed at the end.
 */
export async function probeLargeBlobExtension(s: CtapSession): Promise<LargeBlobExtensionProbe> {
  if (!largeBlob.supported(s.info)) return { skipped: 'getInfo does not list the largeBlob extension', notApplicable: true };
  if (s.info.options.rk !== true) return { skipped: 'the largeBlob extension is for discoverable credentials, which the key does not keep', notApplicable: true };
  const made = await attempt(() => s.makeCredential({ by: 'large-blob', rk: true, extensions: new Map([[largeBlob.name, largeBlob.supportInput(true)]]) }));
  const out: LargeBlobExtensionProbe = { create: made.status };
  if (!made.value) return out;
  out.supported = largeBlob.output(made.value.unsignedExtensionOutputs)?.supported;
  const blob = new Uint8Array(crypto.randomBytes(200));
  const verified = await s.verified(PERMISSION.ga, PROBE_RP_ID);
  const w = await attempt(() => s.getAssertion({ credentialIds: [made.value!.credentialId], verified, extensions: new Map([[largeBlob.name, largeBlob.writeInput(blob, 400)]]) }));
  out.write = w.status;
  out.written = w.value ? largeBlob.output(w.value.unsignedExtensionOutputs)?.written : undefined;
  const r = await attempt(() => s.getAssertion({ credentialIds: [made.value!.credentialId], extensions: new Map([[largeBlob.name, largeBlob.readInput()]]) }));
  const back = r.value ? largeBlob.output(r.value.unsignedExtensionOutputs)?.blob : undefined;
  out.read = r.status;
  out.readBack = back === undefined ? 'none' : Buffer.from(back).equals(Buffer.from(blob)) ? 'same' : `different (${toBase64url(back).slice(0, 16)}…)`;
  return out;
}
