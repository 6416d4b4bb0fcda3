import type { CanonicalValue } from '../../../cbor/encodeCanonical.ts';
import type { AuthenticatorInfo } from '../getInfo.ts';

export const LARGE_BLOB_KEY = 'largeBlobKey';

/**
 * largeBlobKey (CTAP 2.1 §12.3): `true` in (with rk at makeCredential); the 32-byte key comes back as
 * a response member (makeCredential 0x05, getAssertion 0x07) that seals the credential's entry in
 * the authenticatorLargeBlobs array.
 */
export const largeBlobKey = {
  name: LARGE_BLOB_KEY,
  supported: (info: AuthenticatorInfo) => info.extensions.includes(LARGE_BLOB_KEY) && info.options.largeBlobs === true,
  /** the input at makeCredential (with rk) and getAssertion alike */
  input: (): CanonicalValue => true,
};
