import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { decodeCbor, type CborValue } from '../../cbor/decodeCbor.ts';
import { encodeCanonical, type CanonicalValue } from '../../cbor/encodeCanonical.ts';
import { CTAP2 } from '../constants.ts';
import { deviceError } from '../CtapError.ts';
import type { CallOptions } from '../connection/CallOptions.ts';
import type { Ctap2Client } from './Ctap2Client.ts';
import { pinUvAuthParam, sha256, type PinUvAuthToken } from './clientPin.ts';

/** One entry of the serialized large-blob array (CTAP 2.1 §6.10.3). */
export interface LargeBlobEntry {
  ciphertext: Uint8Array;
  nonce: Uint8Array;
  origSize: number;
}

const left16 = (b: Uint8Array) => sha256(b).subarray(0, 16);

/** The array as the key stores it: CBOR array, then the first 16 bytes of its SHA-256. */
export function serializeLargeBlobArray(entries: LargeBlobEntry[]): Uint8Array {
  const array = encodeCanonical(entries.map((e): CanonicalValue => new Map<number, CanonicalValue>([[1, e.ciphertext], [2, e.nonce], [3, e.origSize]])));
  return Uint8Array.from([...array, ...left16(array)]);
}

/** Parses the stored array; a bad checksum or shape is the key's defect (DEVICE_PROTOCOL). */
export function parseLargeBlobArray(bytes: Uint8Array): LargeBlobEntry[] {
  if (bytes.length < 17) throw deviceError('DEVICE_PROTOCOL', `the large-blob array is ${bytes.length} bytes; at least 17 (an empty array and its hash)`);
  const array = bytes.subarray(0, bytes.length - 16);
  if (!Buffer.from(left16(array)).equals(Buffer.from(bytes.subarray(bytes.length - 16)))) throw deviceError('DEVICE_PROTOCOL', 'the large-blob array\'s trailing hash does not match its contents');
  const v = decodeCbor(array, 'large-blob array').value;
  if (!Array.isArray(v)) throw deviceError('DEVICE_PROTOCOL', 'the large-blob array is not a CBOR array');
  return v.flatMap((e: CborValue) => {
    if (!(e instanceof Map)) return [];
    const ct = e.get(1);
    const nonce = e.get(2);
    const size = e.get(3);
    return ct instanceof Uint8Array && nonce instanceof Uint8Array && typeof size === 'number' ? [{ ciphertext: ct, nonce, origSize: size }] : [];
  });
}

const aad = (origSize: number) => {
  const b = Buffer.alloc(12);
  b.write('blob', 0, 'latin1');
  b.writeBigUInt64LE(BigInt(origSize), 4);
  return b;
};

/** A credential's blob sealed with its largeBlobKey: AES-256-GCM over the raw-DEFLATE of the data. */
export function sealLargeBlob(key: Uint8Array, data: Uint8Array): LargeBlobEntry {
  const nonce = crypto.randomBytes(12);
  const c = crypto.createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(aad(data.length));
  const ct = Buffer.concat([c.update(zlib.deflateRawSync(data)), c.final(), c.getAuthTag()]);
  return { ciphertext: new Uint8Array(ct), nonce: new Uint8Array(nonce), origSize: data.length };
}

/** The data of the entry sealed with this key, or undefined when it is someone else's. */
export function openLargeBlob(key: Uint8Array, e: LargeBlobEntry): Uint8Array | undefined {
  if (e.ciphertext.length < 16 || e.nonce.length !== 12) return undefined;
  try {
    const d = crypto.createDecipheriv('aes-256-gcm', key, e.nonce);
    d.setAAD(aad(e.origSize));
    d.setAuthTag(e.ciphertext.subarray(e.ciphertext.length - 16));
    const out = zlib.inflateRawSync(Buffer.concat([d.update(e.ciphertext.subarray(0, e.ciphertext.length - 16)), d.final()]));
    return out.length === e.origSize ? new Uint8Array(out) : undefined;
  } catch {
    return undefined;
  }
}

/** authenticatorLargeBlobs (§6.10): reads and writes the whole array in fragments. */
export class LargeBlobs {
  readonly ctap: Ctap2Client;
  readonly fragment: number;

  constructor(ctap: Ctap2Client, maxMsgSize = 1024) {
    this.ctap = ctap;
    this.fragment = Math.max(32, maxMsgSize - 64);
  }

  async read(o?: CallOptions): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    for (let offset = 0; ; ) {
      const m = (await this.ctap.call(CTAP2.largeBlobs, new Map<number, CanonicalValue>([[0x01, this.fragment], [0x03, offset]]), o)).map;
      const chunk = m.get(0x01);
      if (!(chunk instanceof Uint8Array)) throw deviceError('DEVICE_PROTOCOL', 'authenticatorLargeBlobs get answered without config (0x01)');
      parts.push(chunk);
      offset += chunk.length;
      if (chunk.length < this.fragment) break;
      if (offset > 16 * 1024 * 1024) throw deviceError('DEVICE_PROTOCOL', 'authenticatorLargeBlobs kept answering past 16 MB');
    }
    return Uint8Array.from(parts.flatMap((p) => [...p]));
  }

  async write(serialized: Uint8Array, token: PinUvAuthToken, o?: CallOptions): Promise<void> {
    for (let offset = 0; offset < serialized.length; offset += this.fragment) {
      const chunk = serialized.subarray(offset, offset + this.fragment);
      const off = Buffer.alloc(4);
      off.writeUInt32LE(offset);
      const message = Uint8Array.from([...new Uint8Array(32).fill(0xff), 0x0c, 0x00, ...off, ...sha256(chunk)]);
      const params = new Map<number, CanonicalValue>([[0x02, chunk], [0x03, offset], [0x05, pinUvAuthParam(token, message)], [0x06, token.protocol.version]]);
      if (offset === 0) params.set(0x04, serialized.length);
      await this.ctap.call(CTAP2.largeBlobs, params, o);
    }
  }
}
