import type { CborValue } from '../cbor/decodeCbor.ts';
import type { AuthenticatorData } from '../webauthn/parseAuthenticatorData.ts';
import type { PublicKeyInfo } from '../webauthn/coseKey.ts';
import type { Finding } from '../findings/Finding.ts';
import type { ParsedCertificate } from '../pki/parseCertificate.ts';

/** What every attestation-format verifier gets (WebAuthn L3 §8: "verification procedure" inputs). */
export interface FormatInput {
  attStmt: Map<number | string, CborValue>;
  authData: AuthenticatorData;
  clientDataHash: Uint8Array;
  /** the credential public key, when it parsed */
  credentialKey?: PublicKeyInfo;
  /** why the credential key was not verified, when its algorithm is one the harness cannot verify */
  credentialKeyUnverifiable?: string;
  /** verification time (certificate validity, SafetyNet timestamp) */
  at: Date;
}

/** WebAuthn L3 §6.5.4 attestation types */
export type AttestationType = 'basic' | 'self' | 'attca' | 'anonca' | 'none' | 'uncertain';

export interface FormatResult {
  findings: Finding[];
  type: AttestationType;
  /** leaf first; the path to validate against trust anchors (empty for self/none) */
  trustPath: ParsedCertificate[];
  /** which built-in anchor set applies besides the MDS entry's roots */
  anchorSet?: 'android-key' | 'android-safetynet' | 'apple';
}

export type FormatVerifier = (input: FormatInput) => FormatResult;
