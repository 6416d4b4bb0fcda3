import { Encoder } from 'cbor-x';

// Maps must come out as plain CBOR maps others can read (DESIGN: no tag 259), and byte
// strings as major type 2. Callers insert map keys in CTAP2 canonical order.
const encoder = new Encoder({ useRecords: false, mapsAsObjects: false, useTag259ForMaps: false, tagUint8Array: false } as ConstructorParameters<typeof Encoder>[0]);

export function encodeCbor(value: unknown): Uint8Array {
  return new Uint8Array(encoder.encode(value));
}

/** A map with its keys in CTAP2 canonical order (shorter encoding first, then bytewise). */
export function canonicalMap(m: Map<string | number, unknown>): Map<string | number, unknown> {
  const keyBytes = (k: string | number) => Buffer.from(encoder.encode(k));
  return new Map([...m].sort(([a], [b]) => {
    const x = keyBytes(a);
    const y = keyBytes(b);
    return x.length - y.length || Buffer.compare(x, y);
  }));
}
