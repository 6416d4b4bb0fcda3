/**
 * Check IDs: the family of a catalogue entry (one requirement, one outcome per run). Stable
 * SCREAMING_SNAKE with an area prefix: vendors quote them, so they are never renamed.
 * Declared once: the registry must hold exactly these (tested), and expectations that name a
 * check (the fault matrix, virtual profiles) do not compile with an unknown ID.
 */
export const CHECK_IDS = [
  'ATT_PACKED_FORMAT',
  'ATT_PACKED_CHAIN_TO_MDS_ROOT',
  'ATT_AAGUID_MATCHES_CERT_AND_MDS',
  'MDS_FIDO_CERTIFIED',
  'MDS_NO_COMPROMISE',
  'MDS_DECLARES_FIDO_2_0',
  'MDS_DECLARES_UV_OR_CLIENT_PIN',
  'MDS_DECLARES_RK',
  'MDS_DECLARES_HMAC_SECRET_OR_PRF',
  'ATT_FORMAT_ACCEPTED_UNENFORCED',
  'RK_DISCOVERABLE_SIGN_IN',
  'UV_FLAG_WHEN_REQUIRED',
  'EXT_HMAC_SECRET_OR_PRF',
  'RK_MULTIPLE_ACCOUNTS_PER_RP',
  'DECL_RK',
  'DECL_UV_OR_CLIENT_PIN',
  'DECL_EXTENSIONS',
  'DECL_ALGORITHM',
  'DECL_TRANSPORTS',
  'WEBAUTHN_RP_VERIFICATION',
  'HYG_SIGN_COUNT',
  'HYG_UP_ALWAYS',
  'HYG_UV_ONLY_WHEN_VERIFIED',
  'HYG_BE_BS',
  'HYG_CREDENTIAL_ID_LENGTH',
  'HYG_ATT_CERT_VALIDITY',
  'HYG_CREDPROTECT',
  'HYG_CANONICAL_CBOR',
  'HYG_NO_TRAILING_BYTES',
  'CTAP_GETINFO_WELL_FORMED',
  'CTAP_GETINFO_MATCHES_METADATA',
  'CTAP_EXTENSIONS_ANSWER',
  'CTAP_PIN_UV_AUTH_PROTOCOLS',
  'CTAP_PIN_RETRIES',
  'CTAP_TOKEN_PERMISSIONS',
  'CTAP_HMAC_SECRET',
  'CTAP_HMAC_SECRET_MC',
  'CTAP_CRED_BLOB',
  'CTAP_THIRD_PARTY_PAYMENT',
  'CTAP_MIN_PIN_LENGTH',
  'CTAP_CREDENTIAL_MANAGEMENT',
  'CTAP_PERSISTENT_TOKEN',
  'CTAP_CRED_PROTECT_ENFORCED',
  'CTAP_EXCLUDE_LIST',
  'CTAP_U2F_INTEROP',
  'CTAP_MC_REQUEST',
  'CTAP_PIN_UV_AUTH_PARAM_EMPTY',
  'CTAP_UV_REQUIRED',
  'CTAP_GA_REQUEST',
  'CTAP_MC_RESPONSE',
  'CTAP_GA_RESPONSE',
  'CTAP_ERROR_CODES',
  'CTAP_HID_INIT',
  'CTAP_HID_CHANNELS',
  'CTAP_HID_ERRORS',
  'CTAP_HID_UNALLOCATED_CHANNEL',
  'CTAP_HID_WINK_LOCK',
  'CTAP_HID_CANCEL',
  'CTAP_USER_PRESENCE',
] as const;

export type CheckId = (typeof CHECK_IDS)[number];

export const CHECK_AREAS = ['entra-enforced', 'entra-not-enforced', 'windows', 'declared-vs-observed', 'hygiene', 'ctap'] as const;
/** Areas judged only when the run carries the key's own CTAP answers (check --ctap, --emulate, the guided run over USB). */
export const CTAP_ONLY_AREAS: readonly CheckArea[] = ['ctap'];
export type CheckArea = (typeof CHECK_AREAS)[number];
