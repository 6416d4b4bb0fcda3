import { HarnessError } from '../errors/HarnessError.ts';

/**
 * CTAP2 canonical CBOR (CTAP 2.1 §8), written by hand so every byte is ours: shortest-form
 * integers and lengths, definite lengths only, no tags, map keys sorted length-first then
 * bytewise (at every depth). What the CTAP client sends and the software authenticator answers.
 * Values: integers (number or bigint), Uint8Array (byte string), string (text), boolean, null,
 * arrays, and Map or plain object (maps; object keys are text). `Raw` embeds pre-encoded bytes
 * verbatim (a device's own attestation statement, passed through unchanged).
 */
export class RawCbor {
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
}

export type CanonicalValue = number | bigint | string | boolean | null | Uint8Array | RawCbor | CanonicalValue[] | Map<number | string, CanonicalValue> | { [k: string]: CanonicalValue | undefined };

const te = new TextEncoder();

/** A growing byte buffer: bytes copied in blocks, not pushed one by one. */
class Writer {
  buf: Uint8Array;
  n = 0;
  constructor(size = 256) {
    this.buf = new Uint8Array(size);
  }
  private room(k: number) {
    if (this.n + k <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.n + k) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }
  byte(b: number) {
    this.room(1);
    this.buf[this.n++] = b;
  }
  bytes(b: Uint8Array) {
    this.room(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
}

function head(major: number, n: number | bigint, out: Writer) {
  const m = major << 5;
  if (typeof n === 'number' && n <= 0xffffffff) {
    if (n < 24) out.byte(m | n);
    else if (n < 0x100) out.bytes(Uint8Array.of(m | 24, n));
    else if (n < 0x10000) out.bytes(Uint8Array.of(m | 25, n >>> 8, n & 0xff));
    else out.bytes(Uint8Array.of(m | 26, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff));
    return;
  }
  const v = BigInt(n);
  if (v <= 0xffffffffn) return head(major, Number(v), out);
  if (v >= 0x10000000000000000n) throw new HarnessError('BAD_CBOR', `integer ${v} does not fit CBOR's 64-bit argument`);
  out.byte(m | 27);
  out.bytes(Uint8Array.from([56n, 48n, 40n, 32n, 24n, 16n, 8n, 0n].map((s) => Number((v >> s) & 0xffn))));
}

function write(v: CanonicalValue | undefined, out: Writer, depth: number) {
  if (depth > 32) throw new HarnessError('BAD_CBOR', 'value nested deeper than 32 levels');
  if (v === undefined) throw new HarnessError('BAD_CBOR', 'undefined has no CTAP2 encoding (leave the member out)');
  if (v === null) out.byte(0xf6);
  else if (v === true) out.byte(0xf5);
  else if (v === false) out.byte(0xf4);
  else if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new HarnessError('BAD_CBOR', `${v} is not an integer (CTAP2 structures carry no floats)`);
    if (v >= 0) head(0, v, out);
    else head(1, -1 - v, out);
  } else if (typeof v === 'bigint') {
    if (v >= 0n) head(0, v, out);
    else head(1, -1n - v, out);
  } else if (typeof v === 'string') {
    const bytes = te.encode(v);
    head(3, bytes.length, out);
    out.bytes(bytes);
  } else if (v instanceof Uint8Array) {
    head(2, v.length, out);
    out.bytes(v);
  } else if (v instanceof RawCbor) {
    out.bytes(v.bytes);
  } else if (Array.isArray(v)) {
    head(4, v.length, out);
    for (const x of v) write(x, out, depth + 1);
  } else {
    const entries: [number | string, CanonicalValue][] = v instanceof Map ? [...v] : Object.entries(v).filter((e): e is [string, CanonicalValue] => e[1] !== undefined);
    const encoded = entries.map(([k, x]) => {
      const kw = new Writer(16);
      write(k, kw, depth + 1);
      return { kb: kw.result(), x };
    });
    encoded.sort((a, b) => a.kb.length - b.kb.length || compareBytes(a.kb, b.kb));
    for (let i = 1; i < encoded.length; i++) {
      if (compareBytes(encoded[i - 1]!.kb, encoded[i]!.kb) === 0) throw new HarnessError('BAD_CBOR', 'duplicate map key');
    }
    head(5, encoded.length, out);
    for (const e of encoded) {
      out.bytes(e.kb);
      write(e.x, out, depth + 1);
    }
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export function encodeCanonical(v: CanonicalValue): Uint8Array {
  const out = new Writer();
  write(v, out, 0);
  return out.result();
}
