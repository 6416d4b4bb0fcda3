import type { CborValue } from '../../../cbor/decodeCbor.ts';
import type { CanonicalValue } from '../../../cbor/encodeCanonical.ts';
import type { AuthenticatorInfo } from '../getInfo.ts';

export const LARGE_BLOB = 'largeBlob';

/**
 * largeBlob (CTAP 2.3 §12.4): the blob inside getAssertion, for keys that do not use
 * authenticatorLargeBlobs (a key supports one or the other). Inputs `{support}`, `{read: true}`,
 * `{write, originalSize}`; outputs are unsigned extension outputs.
 */
export const largeBlob = {
  name: LARGE_BLOB,
  supported: (info: AuthenticatorInfo) => info.extensions.includes(LARGE_BLOB),
  supportInput: (required: boolean): CanonicalValue => ({ support: required ? 'required' : 'preferred' }),
  readInput: (): CanonicalValue => ({ read: true }),
  writeInput: (compressed: Uint8Array, originalSize: number): CanonicalValue => ({ write: compressed, originalSize }),
  output: (unsigned: Map<string | number, CborValue> | undefined): { supported?: boolean; blob?: Uint8Array; written?: boolean } | undefined => {
    const v = unsigned?.get(LARGE_BLOB);
    if (!(v instanceof Map)) return undefined;
    const b = v.get('blob');
    return { supported: v.get('supported') === true ? true : undefined, blob: b instanceof Uint8Array ? b : undefined, written: v.get('written') === true ? true : undefined };
  },
};
