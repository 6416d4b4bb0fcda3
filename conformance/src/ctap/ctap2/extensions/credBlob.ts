import type { CborValue } from '../../../cbor/decodeCbor.ts';
import type { CanonicalValue } from '../../../cbor/encodeCanonical.ts';
import type { AuthenticatorInfo } from '../getInfo.ts';

export const CRED_BLOB = 'credBlob';

/** credBlob (CTAP 2.1 §12.2): bytes in at makeCredential (stored: true/false out), `true` in at getAssertion (the bytes out). */
export const credBlob = {
  name: CRED_BLOB,
  supported: (info: AuthenticatorInfo) => info.extensions.includes(CRED_BLOB),
  maxLength: (info: AuthenticatorInfo) => info.maxCredBlobLength ?? 32,
  /** makeCredential input: the blob to store */
  createInput: (blob: Uint8Array): CanonicalValue => blob,
  /** getAssertion input: ask for the blob back */
  getInput: (): CanonicalValue => true,
  stored: (authDataExtensions: Map<string | number, CborValue> | undefined): boolean | undefined => {
    const v = authDataExtensions?.get(CRED_BLOB);
    return typeof v === 'boolean' ? v : undefined;
  },
  blob: (authDataExtensions: Map<string | number, CborValue> | undefined): Uint8Array | undefined => {
    const v = authDataExtensions?.get(CRED_BLOB);
    return v instanceof Uint8Array ? v : undefined;
  },
};
