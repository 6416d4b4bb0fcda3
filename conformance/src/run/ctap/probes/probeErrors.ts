import crypto from 'node:crypto';
import { encodeCanonical, type CanonicalValue } from '../../../cbor/encodeCanonical.ts';
import { CTAP2, CTAPHID, MAX_HID_MESSAGE } from '../../../ctap/constants.ts';
import { statusName } from '../../../ctap/status.ts';
import type { ErrorsProbe } from '../../../checks/ctap/CtapEvidence.ts';
import { PROBE_RP_ID, statusOf, type CtapSession } from '../CtapSession.ts';

/** A CTAP2 command byte no version of the spec assigns (below the vendor range 0x40-0xbf). */
const UNASSIGNED_CTAP2_COMMAND = 0x1f;

/** makeCredential parameters padded so the whole CBOR message (command byte included) is exactly `size` bytes. */
export function paddedMakeCredential(size: number): Uint8Array {
  const params = (pad: number) => new Map<number, CanonicalValue>([
    [0x01, new Uint8Array(32)],
    [0x02, { id: PROBE_RP_ID }],
    [0x03, { id: new Uint8Array(16), name: 'oversized', displayName: 'x'.repeat(Math.max(0, pad)) }],
    [0x04, [{ type: 'public-key', alg: -7 }]],
    // up = false: a key that takes the message anyway refuses at once instead of waiting for a touch
    [0x07, { up: false }],
  ]);
  let pad = size;
  for (let i = 0; i < 8; i++) {
    const n = 1 + encodeCanonical(params(pad)).length;
    if (n === size) break;
    pad += size - n;
  }
  return Uint8Array.from([CTAP2.makeCredential, ...encodeCanonical(params(pad))]);
}

/**
 * Error behaviour (CTAP 2.1 §6 "missing parameter", §8.2 status codes, §11.2.4 message size):
 * a request lacking a required member, commands no version defines, and a message larger than
 * the key says it takes. Nothing here needs a touch or creates anything.
 */
export async function probeErrors(s: CtapSession): Promise<ErrorsProbe> {
  const ctap2 = s.ctap2;
  const out: ErrorsProbe = {};
  const raw = async (command: number, params: Uint8Array) => ctap2.raw(command, params).then((r) => (r.status === 0 ? 'OK' : statusName(r.status)), statusOf);
  out.missingParameter = await raw(CTAP2.makeCredential, encodeCanonical(new Map([[0x01, new Uint8Array(crypto.randomBytes(32))]])));
  out.unknownCborCommand = await raw(UNASSIGNED_CTAP2_COMMAND, new Uint8Array());
  // the FIDO_2_1_PRE credential-management command on a key that does not list FIDO_2_1_PRE
  if (!s.info.versions.includes('FIDO_2_1_PRE')) out.previewCommand = await raw(CTAP2.credentialManagementPreview, encodeCanonical(new Map([[0x01, 0x01]])));
  const hid = s.device.hid;
  const max = s.info.maxMsgSize ?? 1024;
  if (hid && max + 1 <= MAX_HID_MESSAGE) {
    const message = paddedMakeCredential(max + 1);
    out.overMaxMsgSize = { size: message.length, status: await hid.transact(CTAPHID.CBOR, message).then((r) => (r[0] === 0 ? 'OK' : statusName(r[0] ?? 0x7f)), statusOf) };
  }
  return out;
}
