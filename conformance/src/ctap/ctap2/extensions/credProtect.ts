import type { CborValue } from '../../../cbor/decodeCbor.ts';
import type { CanonicalValue } from '../../../cbor/encodeCanonical.ts';
import { CRED_PROTECT } from '../../constants.ts';
import type { AuthenticatorInfo } from '../getInfo.ts';

export const CRED_PROTECT_EXTENSION = 'credProtect';

/** credProtect (CTAP 2.1 §12.1): the policy level in, the level the key applied out (authData). */
export const credProtect = {
  name: CRED_PROTECT_EXTENSION,
  supported: (info: AuthenticatorInfo) => info.extensions.includes(CRED_PROTECT_EXTENSION),
  /** WebAuthn's credentialProtectionPolicy name to the CTAP level */
  level: (policy: string): number | undefined => CRED_PROTECT[policy as keyof typeof CRED_PROTECT],
  /** makeCredential input: the level (1 optional, 2 optional with a credential ID list, 3 required) */
  createInput: (level: number): CanonicalValue => level,
  applied: (authDataExtensions: Map<string | number, CborValue> | undefined): number | undefined => {
    const v = authDataExtensions?.get(CRED_PROTECT_EXTENSION);
    return typeof v === 'number' ? v : undefined;
  },
};
