/**
 * FIDO Metadata Statement 3.1 (§4, "Metadata Keys") as JSON Schema: the members every
 * statement must carry and their shapes. Written from the specification's dictionary
 * definitions; fields for UAF-only authenticators are accepted but not demanded. 3.1 adds
 * friendlyNames, iconDark, providerLogoLight/Dark, multiDeviceCredentialSupport and
 * cxConfigURL to the 3.0 members (none required); MDS3_31_MEMBERS names them.
 */
const str = { type: 'string' } as const;
const strList = { type: 'array', items: str } as const;
const upv = { type: 'object', required: ['major', 'minor'], properties: { major: { type: 'integer', minimum: 0, maximum: 65535 }, minor: { type: 'integer', minimum: 0, maximum: 65535 } } } as const;
const verificationMethod = {
  type: 'object',
  required: ['userVerificationMethod'],
  properties: {
    userVerificationMethod: {
      enum: ['presence_internal', 'fingerprint_internal', 'passcode_internal', 'voiceprint_internal', 'faceprint_internal', 'location_internal', 'eyeprint_internal', 'pattern_internal', 'handprint_internal', 'passcode_external', 'pattern_external', 'none', 'all'],
    },
  },
} as const;

export const METADATA_STATEMENT_SCHEMA = {
  type: 'object',
  required: [
    'description', 'authenticatorVersion', 'schema', 'upv', 'attestationTypes', 'userVerificationDetails', 'keyProtection',
    'matcherProtection', 'attachmentHint', 'tcDisplay', 'attestationRootCertificates', 'protocolFamily', 'authenticationAlgorithms', 'publicKeyAlgAndEncodings',
  ],
  properties: {
    legalHeader: str,
    aaid: { type: 'string', pattern: '^[0-9A-F]{4}#[0-9A-F]{4}$' },
    aaguid: str,
    attestationCertificateKeyIdentifiers: { type: 'array', items: { type: 'string', pattern: '^[0-9a-f]{40}$' } },
    description: { type: 'string', minLength: 1, maxLength: 200 },
    alternativeDescriptions: { type: 'object', additionalProperties: str },
    authenticatorVersion: { type: 'integer', minimum: 0, maximum: 4294967295 },
    protocolFamily: { enum: ['uaf', 'u2f', 'fido2'] },
    schema: { const: 3 },
    upv: { type: 'array', minItems: 1, items: upv },
    authenticationAlgorithms: {
      type: 'array',
      minItems: 1,
      items: { enum: ['secp256r1_ecdsa_sha256_raw', 'secp256r1_ecdsa_sha256_der', 'rsassa_pss_sha256_raw', 'rsassa_pss_sha256_der', 'secp256k1_ecdsa_sha256_raw', 'secp256k1_ecdsa_sha256_der', 'sm2_sm3_raw', 'rsa_emsa_pkcs1_sha256_raw', 'rsa_emsa_pkcs1_sha256_der', 'rsassa_pss_sha384_raw', 'rsassa_pss_sha512_raw', 'rsassa_pkcsv15_sha256_raw', 'rsassa_pkcsv15_sha384_raw', 'rsassa_pkcsv15_sha512_raw', 'rsassa_pkcsv15_sha1_raw', 'secp384r1_ecdsa_sha384_raw', 'secp521r1_ecdsa_sha512_raw', 'ed25519_eddsa_sha512_raw', 'ed448_eddsa_sha512_raw', 'ml_dsa_44', 'ml_dsa_65', 'ml_dsa_87'] },
    },
    publicKeyAlgAndEncodings: { type: 'array', minItems: 1, items: str },
    attestationTypes: { type: 'array', minItems: 1, items: { enum: ['basic_full', 'basic_surrogate', 'ecdaa', 'attca', 'anonca', 'none'] } },
    userVerificationDetails: { type: 'array', minItems: 1, items: { type: 'array', minItems: 1, items: verificationMethod } },
    keyProtection: { type: 'array', minItems: 1, items: { enum: ['software', 'hardware', 'tee', 'secure_element', 'remote_handle'] } },
    isKeyRestricted: { type: 'boolean' },
    isFreshUserVerificationRequired: { type: 'boolean' },
    matcherProtection: { type: 'array', minItems: 1, items: { enum: ['software', 'tee', 'on_chip'] } },
    cryptoStrength: { type: 'integer', minimum: 0 },
    attachmentHint: { type: 'array', items: { enum: ['internal', 'external', 'wired', 'wireless', 'nfc', 'bluetooth', 'network', 'ready', 'wifi_direct'] } },
    tcDisplay: strList,
    tcDisplayContentType: str,
    attestationRootCertificates: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z0-9+/]+={0,2}$' } },
    icon: { type: 'string', pattern: '^data:' },
    tcDisplayPNGCharacteristics: { type: 'array', items: { type: 'object' } },
    ecdaaTrustAnchors: { type: 'array', items: { type: 'object' } },
    // MDS 3.1
    friendlyNames: { type: 'object', additionalProperties: { type: 'string', minLength: 1 } },
    iconDark: { type: 'string', pattern: '^data:' },
    providerLogoLight: { type: 'string', pattern: '^data:' },
    providerLogoDark: { type: 'string', pattern: '^data:' },
    multiDeviceCredentialSupport: { enum: ['unsupported', 'explicit', 'implicit'] },
    cxConfigURL: { type: 'string', pattern: '^https://' },
    supportedExtensions: { type: 'array' },
    authenticatorGetInfo: {
      type: 'object',
      required: ['versions', 'aaguid'],
      properties: {
        versions: { type: 'array', minItems: 1, items: str },
        extensions: strList,
        aaguid: { type: 'string', pattern: '^[0-9a-fA-F]{32}$' },
        options: { type: 'object', additionalProperties: { type: 'boolean' } },
        maxMsgSize: { type: 'integer' },
        pinUvAuthProtocols: { type: 'array', items: { type: 'integer' } },
        transports: strList,
        algorithms: { type: 'array', items: { type: 'object', required: ['type', 'alg'] } },
      },
    },
  },
} as const;

/** The members MDS 3.1 added to 3.0 (FIDO Metadata Statement 3.1 §4). */
export const MDS3_31_MEMBERS = ['friendlyNames', 'iconDark', 'providerLogoLight', 'providerLogoDark', 'multiDeviceCredentialSupport', 'cxConfigURL'] as const;

/** Members a 3.1 draft defined and 3.1.1 removed: a warning, with what replaced them. */
export const MDS3_REMOVED_MEMBERS: Record<string, string> = { keyScope: 'removed in Metadata Statement 3.1.1', cxpConfigURL: 'renamed cxConfigURL in Metadata Statement 3.1.1' };

/**
 * A status report (FIDO Metadata Service 3.1 §3.1.3 StatusReport): 3.1 adds
 * certificationProfiles, sunsetDate, fipsRevision and fipsPhysicalSecurityLevel.
 */
export const STATUS_REPORT_SCHEMA = {
  type: 'object',
  required: ['status'],
  properties: {
    status: str,
    effectiveDate: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
    authenticatorVersion: { type: 'integer', minimum: 0 },
    certificate: str,
    url: str,
    certificationDescriptor: str,
    certificateNumber: str,
    certificationPolicyVersion: str,
    certificationProfiles: strList,
    certificationRequirementsVersion: str,
    sunsetDate: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
    fipsRevision: { type: 'integer', minimum: 1 },
    fipsPhysicalSecurityLevel: { type: 'integer', minimum: 1, maximum: 4 },
  },
} as const;

/** The same schema without `required`, anywhere: the shape of every member a (draft) statement does carry. */
function withoutRequired(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutRequired);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'required').map(([k, x]) => [k, withoutRequired(x)]));
  return v;
}
export const METADATA_STATEMENT_SHAPE = withoutRequired(METADATA_STATEMENT_SCHEMA) as Record<string, unknown>;
