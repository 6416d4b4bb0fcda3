import { HarnessError } from '../errors/HarnessError.ts';

/**
 * A strict CBOR (RFC 8949) decoder for WebAuthn/CTAP2 structures.
 *
 * Why our own and not cbor-x: we must know exactly where an item ends (the credential
 * public key in authData is followed by the extensions map with no length prefix,
 * WebAuthn L3 §6.5.1) and we must see encoding defects that a lenient decoder hides.
 * CTAP 2.1 §8 "CTAP2 canonical CBOR encoding form" asks for: shortest-form integers and
 * lengths, no indefinite lengths, no tags, map keys unique and sorted (length-first,
 * then bytewise). A violation is reported in `nonCanonical` (an indefinite-length item is
 * valid CBOR, RFC 8949 §3.2, so it is decoded and reported like out-of-order keys); a
 * structural error (truncation, bad major type, too deep) is thrown as HarnessError('BAD_CBOR').
 */
export type CborValue =
  | number
  | bigint
  | string
  | boolean
  | null
  | undefined
  | Uint8Array
  | CborValue[]
  | Map<CborKey, CborValue>;
export type CborKey = number | string;

export interface CborDecoded {
  value: CborValue;
  /** offset just past the decoded item */
  end: number;
  /** human-readable canonical-form violations; empty when canonical */
  nonCanonical: string[];
}

const MAX_DEPTH = 16;
const textDecoder = new TextDecoder('utf-8', { fatal: true });

export function decodeCborItem(bytes: Uint8Array, start: number, what: string): CborDecoded {
  const st = { bytes, pos: start, what, nonCanonical: [] as string[] };
  const value = readItem(st, 0);
  return { value, end: st.pos, nonCanonical: st.nonCanonical };
}

/** Decode exactly one item occupying all of `bytes`; trailing bytes are an error. */
export function decodeCbor(bytes: Uint8Array, what: string): CborDecoded {
  const d = decodeCborItem(bytes, 0, what);
  if (d.end !== bytes.length) {
    throw new HarnessError('BAD_CBOR', `${what}: ${bytes.length - d.end} trailing byte(s) after the CBOR item (item ends at offset ${d.end} of ${bytes.length})`);
  }
  return d;
}

interface State {
  bytes: Uint8Array;
  pos: number;
  what: string;
  nonCanonical: string[];
}

function fail(st: State, msg: string): never {
  throw new HarnessError('BAD_CBOR', `${st.what}: ${msg} (at offset ${st.pos})`);
}

function need(st: State, n: number): void {
  if (st.pos + n > st.bytes.length) {
    fail(st, `truncated: need ${n} more byte(s), ${st.bytes.length - st.pos} left`);
  }
}

/** Reads the argument of an initial byte; returns number or bigint for > 2^53. */
function readArg(st: State, info: number): number | bigint {
  if (info < 24) return info;
  const at = st.pos;
  let v: number | bigint;
  switch (info) {
    case 24:
      need(st, 1);
      v = st.bytes[st.pos]!;
      st.pos += 1;
      if (v < 24) st.nonCanonical.push(`integer ${v} at offset ${at} uses a 1-byte argument where the initial byte suffices`);
      return v;
    case 25:
      need(st, 2);
      v = (st.bytes[st.pos]! << 8) | st.bytes[st.pos + 1]!;
      st.pos += 2;
      if (v < 256) st.nonCanonical.push(`integer ${v} at offset ${at} uses a 2-byte argument`);
      return v;
    case 26: {
      need(st, 4);
      const dv = new DataView(st.bytes.buffer, st.bytes.byteOffset + st.pos, 4);
      v = dv.getUint32(0);
      st.pos += 4;
      if (v < 65536) st.nonCanonical.push(`integer ${v} at offset ${at} uses a 4-byte argument`);
      return v;
    }
    case 27: {
      need(st, 8);
      const dv = new DataView(st.bytes.buffer, st.bytes.byteOffset + st.pos, 8);
      const big = dv.getBigUint64(0);
      st.pos += 8;
      if (big < 0x100000000n) st.nonCanonical.push(`integer ${big} at offset ${at} uses an 8-byte argument`);
      return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    }
    case 31:
      st.pos -= 1;
      return fail(st, 'an indefinite length is allowed only for strings, arrays and maps');
    default:
      st.pos -= 1;
      return fail(st, `reserved additional-information value ${info}`);
  }
}

function readLength(st: State, info: number): number {
  const n = readArg(st, info);
  if (typeof n === 'bigint' || n > st.bytes.length - st.pos + 0) {
    // a length can never exceed what remains (each element takes at least one byte)
    fail(st, `truncated: declared length ${n} exceeds the ${st.bytes.length - st.pos} byte(s) remaining`);
  }
  return n;
}

const BREAK = 0xff;
const MAJOR_NAMES = ['', '', 'byte string', 'text string', 'array', 'map'];

/** True when the next byte is the "break" that ends an indefinite-length item (consumed). */
function atBreak(st: State): boolean {
  need(st, 1);
  if (st.bytes[st.pos] !== BREAK) return false;
  st.pos += 1;
  return true;
}

/** RFC 8949 §3.2.3: an indefinite-length string is definite-length chunks of the same type, then a break. */
function readIndefiniteString(st: State, major: 2 | 3): Uint8Array | string {
  const chunks: Uint8Array[] = [];
  while (!atBreak(st)) {
    const ib = st.bytes[st.pos]!;
    if (ib >> 5 !== major || (ib & 0x1f) === 31) fail(st, `a chunk of an indefinite-length ${MAJOR_NAMES[major]} must be a definite-length ${MAJOR_NAMES[major]}`);
    st.pos += 1;
    const len = readLength(st, ib & 0x1f);
    need(st, len);
    chunks.push(st.bytes.subarray(st.pos, st.pos + len));
    st.pos += len;
  }
  const all = Uint8Array.from(chunks.flatMap((c) => [...c]));
  if (major === 2) return all;
  try {
    return textDecoder.decode(all);
  } catch {
    return fail(st, 'text string is not valid UTF-8');
  }
}

function readItem(st: State, depth: number): CborValue {
  if (depth > MAX_DEPTH) fail(st, `nesting deeper than ${MAX_DEPTH}`);
  need(st, 1);
  const ib = st.bytes[st.pos]!;
  st.pos += 1;
  const major = ib >> 5;
  const info = ib & 0x1f;
  if (info === 31 && major >= 2 && major <= 5) {
    st.nonCanonical.push(`indefinite-length ${MAJOR_NAMES[major]} at offset ${st.pos - 1} (CTAP2 canonical CBOR uses definite lengths)`);
    if (major === 2 || major === 3) return readIndefiniteString(st, major);
    if (major === 4) {
      const arr: CborValue[] = [];
      while (!atBreak(st)) arr.push(readItem(st, depth + 1));
      return arr;
    }
    return readMap(st, info, depth);
  }
  switch (major) {
    case 0:
      return readArg(st, info);
    case 1: {
      const n = readArg(st, info);
      return typeof n === 'bigint' ? -1n - n : -1 - n;
    }
    case 2: {
      const len = readLength(st, info);
      need(st, len);
      const out = st.bytes.slice(st.pos, st.pos + len);
      st.pos += len;
      return out;
    }
    case 3: {
      const len = readLength(st, info);
      need(st, len);
      try {
        const s = textDecoder.decode(st.bytes.subarray(st.pos, st.pos + len));
        st.pos += len;
        return s;
      } catch {
        return fail(st, 'text string is not valid UTF-8');
      }
    }
    case 4: {
      const len = readLength(st, info);
      const arr: CborValue[] = [];
      for (let i = 0; i < len; i++) arr.push(readItem(st, depth + 1));
      return arr;
    }
    case 5:
      return readMap(st, info, depth);
    case 6:
      st.pos -= 1;
      return fail(st, 'CBOR tags are not allowed in WebAuthn/CTAP2 structures');
    default:
      return readSimple(st, info);
  }
}

function readMap(st: State, info: number, depth: number): Map<CborKey, CborValue> {
  const indefinite = info === 31;
  const len = indefinite ? Infinity : readLength(st, info);
  const map = new Map<CborKey, CborValue>();
  let prevKeyBytes: Uint8Array | undefined;
  for (let i = 0; i < len; i++) {
    if (indefinite && atBreak(st)) break;
    const keyStart = st.pos;
    const key = readItem(st, depth + 1);
    const keyBytes = st.bytes.subarray(keyStart, st.pos);
    if (typeof key !== 'number' && typeof key !== 'string') {
      st.pos = keyStart;
      fail(st, `map key must be an integer or text string, got ${key instanceof Uint8Array ? 'bytes' : typeof key}`);
    }
    if (map.has(key)) {
      st.pos = keyStart;
      fail(st, `duplicate map key ${JSON.stringify(key)}`);
    }
    if (prevKeyBytes && compareCanonical(prevKeyBytes, keyBytes) > 0) {
      st.nonCanonical.push(`map key ${JSON.stringify(key)} at offset ${keyStart} is out of canonical order`);
    }
    prevKeyBytes = keyBytes;
    map.set(key, readItem(st, depth + 1));
  }
  return map;
}

/** CTAP2 canonical order: shorter encoding first, then bytewise (RFC 7049 §3.9). */
function compareCanonical(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function readSimple(st: State, info: number): CborValue {
  switch (info) {
    case 20:
      return false;
    case 21:
      return true;
    case 22:
      return null;
    case 23:
      return undefined;
    case 25: {
      need(st, 2);
      const h = (st.bytes[st.pos]! << 8) | st.bytes[st.pos + 1]!;
      st.pos += 2;
      return halfToNumber(h);
    }
    case 26: {
      need(st, 4);
      const v = new DataView(st.bytes.buffer, st.bytes.byteOffset + st.pos, 4).getFloat32(0);
      st.pos += 4;
      return v;
    }
    case 27: {
      need(st, 8);
      const v = new DataView(st.bytes.buffer, st.bytes.byteOffset + st.pos, 8).getFloat64(0);
      st.pos += 8;
      return v;
    }
    default:
      st.pos -= 1;
      return fail(st, `unsupported simple value ${info}`);
  }
}

function halfToNumber(h: number): number {
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  const sign = h & 0x8000 ? -1 : 1;
  if (exp === 0) return sign * 2 ** -14 * (mant / 1024);
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + mant / 1024);
}

/** One entry of a CBOR map with where its value's bytes are, so a caller can pass them on verbatim. */
export interface RawMapEntry {
  key: CborKey;
  value: CborValue;
  /** the value's encoded bytes, exactly as sent */
  raw: Uint8Array;
}

/**
 * A CBOR map that must occupy all of `bytes`, entry by entry with each value's raw encoding
 * (a CTAP response whose attestation statement is passed on unchanged). Same strictness as
 * decodeCbor; `nonCanonical` reports canonical-form violations anywhere inside.
 */
export function decodeCborMapEntries(bytes: Uint8Array, what: string): { entries: RawMapEntry[]; nonCanonical: string[] } {
  const whole = decodeCbor(bytes, what);
  if (!(whole.value instanceof Map)) throw new HarnessError('BAD_CBOR', `${what}: expected a CBOR map, got ${describeCbor(whole.value)}`);
  // walk again to find each value's span: the head, then key/value items in order
  const st = { bytes, pos: 0, what, nonCanonical: [] as string[] };
  const ib = bytes[0]!;
  st.pos = 1;
  const indefinite = (ib & 0x1f) === 31;
  const count = indefinite ? Infinity : readLength(st, ib & 0x1f);
  const entries: RawMapEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (indefinite && atBreak(st)) break;
    const key = readItem(st, 1) as CborKey;
    const start = st.pos;
    const value = readItem(st, 1);
    entries.push({ key, value, raw: bytes.subarray(start, st.pos) });
  }
  return { entries, nonCanonical: whole.nonCanonical };
}

/** A CBOR value's type in words, for messages. */
export function describeCbor(v: CborValue): string {
  if (v instanceof Uint8Array) return `a byte string of ${v.length} bytes`;
  if (v instanceof Map) return 'a map';
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  return `a ${typeof v}`;
}
