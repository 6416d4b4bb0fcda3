import { HarnessError } from '../errors/HarnessError.ts';

/**
 * A minimal DER (X.690) reader: enough to walk certificates, the Android key description and
 * Apple's nonce extension without a pure-JS ASN.1 library on the hot path. Definite lengths
 * only (DER); every read is bounds-checked and throws HarnessError('BAD_DER').
 */
export interface Tlv {
  /** identifier octet (class | constructed | tag number, low tags only) */
  tag: number;
  /** offset of the identifier octet */
  start: number;
  /** offset of the contents */
  contentStart: number;
  /** offset just past the contents */
  end: number;
  bytes: Uint8Array;
}

export function readTlv(bytes: Uint8Array, pos: number, limit = bytes.length): Tlv {
  if (pos + 2 > limit) throw new HarnessError('BAD_DER', `DER truncated at offset ${pos}`);
  const tag = bytes[pos]!;
  if ((tag & 0x1f) === 0x1f) {
    // high tag numbers (Android key description uses them): read base-128 tag number
    let p = pos + 1;
    let n = 0;
    for (;;) {
      if (p >= limit) throw new HarnessError('BAD_DER', `DER tag truncated at offset ${pos}`);
      const b = bytes[p++]!;
      n = n * 128 + (b & 0x7f);
      if (n > 0xffffff) throw new HarnessError('BAD_DER', `DER tag number too large at offset ${pos}`);
      if (!(b & 0x80)) break;
    }
    const t = readLength(bytes, p, limit, pos);
    return { tag: (tag & 0xe0) * 0x1000000 + n, start: pos, contentStart: t.contentStart, end: t.end, bytes };
  }
  const t = readLength(bytes, pos + 1, limit, pos);
  return { tag, start: pos, contentStart: t.contentStart, end: t.end, bytes };
}

function readLength(bytes: Uint8Array, p: number, limit: number, at: number) {
  if (p >= limit) throw new HarnessError('BAD_DER', `DER length missing at offset ${at}`);
  let len = bytes[p++]!;
  if (len === 0x80) throw new HarnessError('BAD_DER', `indefinite length at offset ${at} is not DER`);
  if (len > 0x80) {
    const n = len & 0x7f;
    if (n > 4 || p + n > limit) throw new HarnessError('BAD_DER', `DER length of ${n} bytes at offset ${at} is unsupported or truncated`);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + bytes[p++]!;
  }
  if (p + len > limit) throw new HarnessError('BAD_DER', `DER item at offset ${at} claims ${len} bytes, only ${limit - p} remain`);
  return { contentStart: p, end: p + len };
}

/** The children of a constructed item. */
export function children(t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let p = t.contentStart;
  while (p < t.end) {
    const c = readTlv(t.bytes, p, t.end);
    out.push(c);
    p = c.end;
  }
  return out;
}

export function contents(t: Tlv): Uint8Array {
  return t.bytes.subarray(t.contentStart, t.end);
}

export function expectTag(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t || t.tag !== tag) {
    throw new HarnessError('BAD_DER', `${what}: expected tag 0x${tag.toString(16)}, got ${t ? `0x${t.tag.toString(16)}` : 'nothing'}`);
  }
  return t;
}

export function decodeOid(t: Tlv): string {
  const b = contents(t);
  if (b.length === 0) throw new HarnessError('BAD_DER', 'empty OID');
  const parts: number[] = [];
  let v = 0;
  for (let i = 0; i < b.length; i++) {
    v = v * 128 + (b[i]! & 0x7f);
    if (!(b[i]! & 0x80)) {
      if (parts.length === 0) parts.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

export function decodeInteger(t: Tlv): number {
  const b = contents(t);
  if (b.length > 6) throw new HarnessError('BAD_DER', `INTEGER of ${b.length} bytes is too large here`);
  let v = b[0]! & 0x80 ? -1 : 0;
  for (const x of b) v = v * 256 + x;
  return v;
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;
