/**
 * Finding codes: the family of one verification step's verdict (WebAuthn, an attestation
 * format rule, a certificate, metadata, statement lint). Stable: vendors quote them, the
 * docs/verification.md table lists them. Declared once with the group each belongs
 * to, so checks name the findings they judge by group or by code, never by a pattern, and a
 * misspelt code does not compile. Disjoint from check IDs and error codes (tested).
 */
export const FINDING_CODES = {
  // WebAuthn L3 §7.1 / §7.2 ceremony steps
  AUTHDATA_STRUCTURE: 'ceremony',
  CLIENT_DATA_TYPE: 'ceremony',
  CLIENT_DATA_CHALLENGE: 'ceremony',
  CLIENT_DATA_ORIGIN: 'ceremony',
  CLIENT_DATA_CROSS_ORIGIN: 'ceremony',
  RP_ID_HASH: 'ceremony',
  FLAG_UP: 'ceremony',
  FLAG_UV: 'ceremony',
  FLAG_BE_BS: 'ceremony',
  FLAG_AT: 'ceremony',
  CREDENTIAL_PUBLIC_KEY: 'ceremony',
  ALG_ALLOWED: 'ceremony',
  USER_HANDLE: 'ceremony',
  SIGNATURE: 'ceremony',
  SIGN_COUNT: 'ceremony',
  CBOR_CANONICAL: 'ceremony',
  // the attestation statement (WebAuthn L3 §8)
  ATT_FORMAT: 'statement',
  ATT_STMT_SYNTAX: 'statement',
  ATT_CHAIN_TRUSTED: 'statement',
  ATT_PACKED_SIGNATURE: 'statement',
  ATT_PACKED_SELF_ALG: 'statement',
  ATT_PACKED_CERT_VERSION: 'statement',
  ATT_PACKED_CERT_SUBJECT_C: 'statement',
  ATT_PACKED_CERT_SUBJECT_O: 'statement',
  ATT_PACKED_CERT_SUBJECT_OU: 'statement',
  ATT_PACKED_CERT_SUBJECT_CN: 'statement',
  ATT_PACKED_CERT_NOT_CA: 'statement',
  ATT_PACKED_CERT_AAGUID_EXT: 'statement',
  ATT_PACKED_CERT_AAGUID_EXT_NOT_CRITICAL: 'statement',
  ATT_TPM_VERSION: 'statement',
  ATT_TPM_PUBAREA_KEY: 'statement',
  ATT_TPM_CERTINFO_MAGIC: 'statement',
  ATT_TPM_CERTINFO_TYPE: 'statement',
  ATT_TPM_EXTRA_DATA: 'statement',
  ATT_TPM_ATTESTED_NAME: 'statement',
  ATT_TPM_STRUCTURE: 'statement',
  ATT_TPM_SHA1: 'statement',
  ATT_TPM_SIGNATURE: 'statement',
  ATT_TPM_CERT_VERSION: 'statement',
  ATT_TPM_CERT_SUBJECT_EMPTY: 'statement',
  ATT_TPM_CERT_SAN: 'statement',
  ATT_TPM_CERT_EKU: 'statement',
  ATT_TPM_CERT_NOT_CA: 'statement',
  ATT_TPM_CERT_AAGUID_EXT: 'statement',
  ATT_ANDROID_KEY_SIGNATURE: 'statement',
  ATT_ANDROID_KEY_KEY_MATCH: 'statement',
  ATT_ANDROID_KEY_DESCRIPTION: 'statement',
  ATT_ANDROID_KEY_CHALLENGE: 'statement',
  ATT_ANDROID_KEY_NOT_ALL_APPS: 'statement',
  ATT_ANDROID_KEY_ORIGIN: 'statement',
  ATT_ANDROID_KEY_PURPOSE: 'statement',
  ATT_ANDROID_KEY_SECURITY_LEVEL: 'statement',
  ATT_SAFETYNET_JWS: 'statement',
  ATT_SAFETYNET_CERT: 'statement',
  ATT_SAFETYNET_HOST: 'statement',
  ATT_SAFETYNET_SIGNATURE: 'statement',
  ATT_SAFETYNET_NONCE: 'statement',
  ATT_SAFETYNET_CTS_PROFILE: 'statement',
  ATT_SAFETYNET_TIMESTAMP: 'statement',
  ATT_U2F_ONE_CERT: 'statement',
  ATT_U2F_CERT_KEY: 'statement',
  ATT_U2F_CREDENTIAL_KEY: 'statement',
  ATT_U2F_SIGNATURE: 'statement',
  ATT_APPLE_NONCE: 'statement',
  ATT_APPLE_KEY_MATCH: 'statement',
  ATT_NONE_EMPTY: 'statement',
  // certificates and chains (RFC 5280), in attestation statements and MDS BLOBs alike
  CERT_PARSE: 'certificate',
  CERT_VALIDITY: 'certificate',
  CHAIN_LINK: 'certificate',
  CHAIN_KEY_IDENTIFIER: 'certificate',
  CHAIN_ISSUER_IS_CA: 'certificate',
  // the authenticator's metadata entry against what it did
  MDS_ENTRY: 'metadata',
  MDS_STATUS: 'metadata',
  MDS_ATTESTATION_TYPE: 'metadata',
  MDS_ALGORITHM: 'metadata',
  // an MDS BLOB (FIDO MDS 3.0 §3.2)
  MDS_JWS_ALG: 'blob',
  MDS_JWS_X5C: 'blob',
  MDS_JWS_SIGNATURE: 'blob',
  MDS_CHAIN_TRUSTED: 'blob',
  MDS_NEXT_UPDATE: 'blob',
  MDS_CRL: 'blob',
  // mds lint: a draft statement against the MDS 3.0 schema and Entra's criteria
  LINT_SCHEMA: 'lint',
  LINT_UNKNOWN_MEMBER: 'lint',
  LINT_AAGUID_FORMAT: 'lint',
  LINT_GETINFO_AAGUID: 'lint',
  LINT_ROOT_NOT_CA: 'lint',
  LINT_ROOT_PARSE: 'lint',
  ENTRA_FIDO2_AAGUID: 'lint',
  ENTRA_ATTESTATION_BASIC_FULL: 'lint',
  ENTRA_ATTESTATION_ROOTS: 'lint',
  ENTRA_FIDO_2_0_OR_HIGHER: 'lint',
  ENTRA_UV_OR_CLIENT_PIN: 'lint',
  ENTRA_RESIDENT_KEY: 'lint',
  ENTRA_HMAC_SECRET_OR_PRF: 'lint',
} as const satisfies Record<string, FindingGroup>;

export type FindingGroup = 'ceremony' | 'statement' | 'certificate' | 'metadata' | 'blob' | 'lint';
export type FindingCode = keyof typeof FINDING_CODES;

/** Every finding code of the given groups. */
export function findingCodesIn(...groups: FindingGroup[]): ReadonlySet<FindingCode> {
  return new Set((Object.keys(FINDING_CODES) as FindingCode[]).filter((c) => (groups as string[]).includes(FINDING_CODES[c])));
}
