import type { CborValue } from '../../../cbor/decodeCbor.ts';
import type { AuthenticatorInfo } from '../getInfo.ts';

export const PIN_COMPLEXITY_POLICY = 'pinComplexityPolicy';

/** pinComplexityPolicy (CTAP 2.3): `true` in; whether the key enforces its PIN complexity policy out. */
export const pinComplexityPolicy = {
  name: PIN_COMPLEXITY_POLICY,
  supported: (info: AuthenticatorInfo) => info.extensions.includes(PIN_COMPLEXITY_POLICY),
  value: (authDataExtensions: Map<string | number, CborValue> | undefined): boolean | undefined => {
    const v = authDataExtensions?.get(PIN_COMPLEXITY_POLICY);
    return typeof v === 'boolean' ? v : undefined;
  },
};
