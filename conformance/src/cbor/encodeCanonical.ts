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

function head(major: number, n: number | bigint, out: number[]) {
  const v = typeof n === 'bigint' ? n : BigInt(n);
  if (v < 24n) out.push((major << 5) | Number(v));
  else if (v < 0x100n) out.push((major << 5) | 24, Number(v));
  else if (v < 0x10000n) out.push((major << 5) | 25, Number(v >> 8n), Number(v & 0xffn));
  else if (v < 0x100000000n) out.push((major << 5) | 26, ...[24n, 16n, 8n, 0n].map((s) => Number((v >> s) & 0xffn)));
  else if (v < 0x10000000000000000n) out.push((major << 5) | 27, ...[56n, 48n, 40n, 32n, 24n, 16n, 8n, 0n].map((s) => Number((v >> s) & 0xffn)));
  else throw new HarnessError('BAD_CBOR', `integer ${v} does not fit CBOR's 64-bit argument`);
}

function write(v: CanonicalValue | undefined, out: number[], depth: number) {
  if (depth > 32) throw new HarnessError('BAD_CBOR', 'value nested deeper than 32 levels');
  if (v === undefined) throw new HarnessError('BAD_CBOR', 'undefined has no CTAP2 encoding (leave the member out)');
  if (v === null) out.push(0xf6);
  else if (v === true) out.push(0xf5);
  else if (v === false) out.push(0xf4);
  else if (typeof v === 'number' || typeof v === 'bigint') {
    if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new HarnessError('BAD_CBOR', `${v} is not an integer (CTAP2 structures carry no floats)`);
    const b = BigInt(v);
    if (b >= 0n) head(0, b, out);
    else head(1, -1n - b, out);
  } else if (typeof v === 'string') {
    const bytes = te.encode(v);
    head(3, bytes.length, out);
    for (const x of bytes) out.push(x);
  } else if (v instanceof Uint8Array) {
    head(2, v.length, out);
    for (const x of v) out.push(x);
  } else if (v instanceof RawCbor) {
    for (const x of v.bytes) out.push(x);
  } else if (Array.isArray(v)) {
    head(4, v.length, out);
    for (const x of v) write(x, out, depth + 1);
  } else {
    const entries: [number | string, CanonicalValue][] = v instanceof Map ? [...v] : Object.entries(v).filter((e): e is [string, CanonicalValue] => e[1] !== undefined);
    const encoded = entries.map(([k, x]) => {
      const kb: number[] = [];
      write(k, kb, depth + 1);
      return { kb, x };
    });
    encoded.sort((a, b) => a.kb.length - b.kb.length || compareBytes(a.kb, b.kb));
    for (let i = 1; i < encoded.length; i++) {
      if (compareBytes(encoded[i - 1]!.kb, encoded[i]!.kb) === 0) throw new HarnessError('BAD_CBOR', 'duplicate map key');
    }
    head(5, encoded.length, out);
    for (const e of encoded) {
      for (const x of e.kb) out.push(x);
      write(e.x, out, depth + 1);
    }
  }
}

function compareBytes(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export function encodeCanonical(v: CanonicalValue): Uint8Array {
  const out: number[] = [];
  write(v, out, 0);
  return Uint8Array.from(out);
}
