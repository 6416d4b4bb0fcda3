import { Encoder } from 'cbor-x';

// Maps must come out as plain CBOR maps others can read (DESIGN: no tag 259), and byte
// strings as major type 2. Callers insert map keys in CTAP2 canonical order.
const encoder = new Encoder({ useRecords: false, mapsAsObjects: false, useTag259ForMaps: false, tagUint8Array: false } as ConstructorParameters<typeof Encoder>[0]);

export function encodeCbor(value: unknown): Uint8Array {
  return new Uint8Array(encoder.encode(value));
}
