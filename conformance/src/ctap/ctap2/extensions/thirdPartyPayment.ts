import type { CborValue } from '../../../cbor/decodeCbor.ts';
import type { CanonicalValue } from '../../../cbor/encodeCanonical.ts';
import type { AuthenticatorInfo } from '../getInfo.ts';

export const THIRD_PARTY_PAYMENT = 'thirdPartyPayment';

/** thirdPartyPayment (CTAP 2.2 §12.9, Secure Payment Confirmation): `true` in; whether the credential is a payment credential out. */
export const thirdPartyPayment = {
  name: THIRD_PARTY_PAYMENT,
  supported: (info: AuthenticatorInfo) => info.extensions.includes(THIRD_PARTY_PAYMENT),
  /** makeCredential input */
  input: (): CanonicalValue => true,
  value: (authDataExtensions: Map<string | number, CborValue> | undefined): boolean | undefined => {
    const v = authDataExtensions?.get(THIRD_PARTY_PAYMENT);
    return typeof v === 'boolean' ? v : undefined;
  },
};
