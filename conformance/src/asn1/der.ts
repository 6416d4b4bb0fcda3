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
    // X.690 §10.1: DER lengths take the fewest octets (short form below 128, no leading zero octet)
    if (bytes[p] === 0) throw new HarnessError('BAD_DER', `DER length at offset ${at} has a leading zero octet (not the shortest form, X.690 §10.1)`);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + bytes[p++]!;
    if (len < 0x80) throw new HarnessError('BAD_DER', `DER length ${len} at offset ${at} uses the long form where the short form fits (X.690 §10.1)`);
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
  // X.690 §8.3.1: an INTEGER has at least one contents octet
  if (b.length === 0) throw new HarnessError('BAD_DER', `empty INTEGER at offset ${t.start} (X.690 §8.3.1: at least one octet)`);
  if (b.length > 6) throw new HarnessError('BAD_DER', `INTEGER of ${b.length} bytes is too large here`);
  let v = b[0]! & 0x80 ? -1 : 0;
  for (const x of b) v = v * 256 + x;
  return v;
}

/** String types of X.690 / X.680 as they appear in names: the tag and how its octets decode. */
export const STRING_TAGS = { UTF8String: 0x0c, PrintableString: 0x13, TeletexString: 0x14, IA5String: 0x16, VisibleString: 0x1a, UniversalString: 0x1c, BMPString: 0x1e } as const;

/**
 * A character string's value (X.690 §8.23): UTF8String as UTF-8, BMPString as UCS-2/UTF-16
 * big-endian, UniversalString as UCS-4 big-endian, TeletexString as ISO 8859-1 (the common
 * reading of T.61), the ASCII types as such. A length that does not fit the encoding is BAD_DER.
 */
export function decodeDerString(t: Tlv): string {
  const b = contents(t);
  switch (t.tag) {
    case STRING_TAGS.BMPString: {
      if (b.length % 2) throw new HarnessError('BAD_DER', `BMPString at offset ${t.start} has an odd length (${b.length})`);
      const swapped = Buffer.from(b);
      swapped.swap16();
      return swapped.toString('utf16le');
    }
    case STRING_TAGS.UniversalString: {
      if (b.length % 4) throw new HarnessError('BAD_DER', `UniversalString at offset ${t.start} is not a whole number of 4-byte characters (${b.length})`);
      let out = '';
      for (let i = 0; i < b.length; i += 4) {
        const cp = ((b[i]! << 24) >>> 0) + (b[i + 1]! << 16) + (b[i + 2]! << 8) + b[i + 3]!;
        if (cp > 0x10ffff) throw new HarnessError('BAD_DER', `UniversalString at offset ${t.start} holds a value beyond Unicode (0x${cp.toString(16)})`);
        out += String.fromCodePoint(cp);
      }
      return out;
    }
    case STRING_TAGS.TeletexString:
      return Buffer.from(b).toString('latin1');
    case STRING_TAGS.PrintableString:
    case STRING_TAGS.IA5String:
    case STRING_TAGS.VisibleString:
      return Buffer.from(b).toString('latin1');
    default:
      return Buffer.from(b).toString('utf8');
  }
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
