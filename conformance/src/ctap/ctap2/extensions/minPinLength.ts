import type { CborValue } from '../../../cbor/decodeCbor.ts';
import type { CanonicalValue } from '../../../cbor/encodeCanonical.ts';
import type { AuthenticatorInfo } from '../getInfo.ts';

export const MIN_PIN_LENGTH = 'minPinLength';

/** minPinLength (CTAP 2.1 §12.4): `true` in; the minimum PIN length out, for RP IDs the key's owner allowed. */
export const minPinLength = {
  name: MIN_PIN_LENGTH,
  supported: (info: AuthenticatorInfo) => info.extensions.includes(MIN_PIN_LENGTH),
  /** makeCredential input */
  input: (): CanonicalValue => true,
  value: (authDataExtensions: Map<string | number, CborValue> | undefined): number | undefined => {
    const v = authDataExtensions?.get(MIN_PIN_LENGTH);
    return typeof v === 'number' ? v : undefined;
  },
};
