import crypto from 'node:crypto';
import type { CanonicalValue } from '../../cbor/encodeCanonical.ts';
import { PERMISSION } from '../../ctap/constants.ts';
import { CTAP_STATUS as S } from '../../ctap/status.ts';
import type { DeviceContext } from './DeviceContext.ts';
import { requireAuthParams, verifyToken } from './pinUvAuth.ts';
import { refuse, type Params } from './params.ts';

export const LARGE_BLOBS_FAULTS = {
  largeBlobHashNotChecked: 'a large-blob array whose trailing hash is wrong stored (§6.10.2: CTAP2_ERR_INTEGRITY_FAILURE)',
  largeBlobWriteWithoutToken: 'large-blob writes accepted without a token holding lbw on a protected key',
} as const;

const sha256 = (b: Uint8Array) => new Uint8Array(crypto.createHash('sha256').update(b).digest());

interface Write {
  expected: number;
  buf: Uint8Array[];
  length: number;
}

/**
 * authenticatorLargeBlobs (CTAP 2.3 §6.10): the serialized large-blob array read and written in
 * fragments of at most maxMsgSize - 64 bytes. A write starts at offset 0 with the total length,
 * goes on at the next offset (CTAP1_ERR_INVALID_SEQ otherwise), is signed with an lbw token over
 * 32×0xff || 0x0c 0x00 || uint32LE(offset) || SHA-256(fragment) when the key is protected, and
 * is stored only when the whole array's trailing hash is right (CTAP2_ERR_INTEGRITY_FAILURE).
 */
export function largeBlobs(d: DeviceContext, p: Params): Map<number, CanonicalValue> | undefined {
  const r = d.read;
  const state = d.state;
  const get = r.optional(p, 0x01, 'uint');
  const set = r.optional(p, 0x02, 'bytes');
  const offset = r.required(p, 0x03, 'uint');
  const length = r.optional(p, 0x04, 'uint');
  const param = r.optional(p, 0x05, 'bytes');
  const version = r.optional(p, 0x06, 'uint');
  const maxFragment = d.f.maxMsgSize - 64;
  if ((get === undefined) === (set === undefined)) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
  if (get !== undefined) {
    if (length !== undefined) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
    if (get > maxFragment) refuse(S.CTAP1_ERR_INVALID_LENGTH);
    if (offset > state.largeBlobArray.length) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
    state.pending = undefined;
    return new Map([[0x01, state.largeBlobArray.subarray(offset, offset + get)]]);
  }
  if (set!.length > maxFragment) refuse(S.CTAP1_ERR_INVALID_LENGTH);
  let w = state.pending?.command === 'largeBlobWrite' ? (state.pending.state as Write) : undefined;
  if (offset === 0) {
    if (length === undefined) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
    if (length! > d.f.maxSerializedLargeBlobArray) refuse(S.CTAP2_ERR_LARGE_BLOB_STORAGE_FULL);
    if (length! < 17) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
    w = { expected: length!, buf: [], length: 0 };
  } else if (length !== undefined) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
  if (!w || offset !== w.length) {
    state.pending = undefined;
    return refuse(S.CTAP1_ERR_INVALID_SEQ);
  }
  if ((d.protectedByUv || state.alwaysUv) && !d.faults.largeBlobWriteWithoutToken) {
    const a = requireAuthParams(d, param, version);
    const off = Buffer.alloc(4);
    off.writeUInt32LE(offset);
    const message = Uint8Array.from([...new Uint8Array(32).fill(0xff), 0x0c, 0x00, ...off, ...sha256(set!)]);
    verifyToken(d, { param: a.param, protocol: a.protocol, message, permission: PERMISSION.lbw, userVerifiedRequired: false });
  }
  if (w.length + set!.length > w.expected) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
  w.buf.push(set!);
  w.length += set!.length;
  if (w.length < w.expected) {
    state.pending = { command: 'largeBlobWrite', state: w };
    return undefined;
  }
  state.pending = undefined;
  const whole = Uint8Array.from(Buffer.concat(w.buf));
  if (!Buffer.from(sha256(whole.subarray(0, whole.length - 16)).subarray(0, 16)).equals(Buffer.from(whole.subarray(whole.length - 16))) && !d.faults.largeBlobHashNotChecked) refuse(S.CTAP2_ERR_INTEGRITY_FAILURE);
  state.largeBlobArray = whole;
  d.changed();
  return undefined;
}
