/**
 * Error codes: the family of a thrown HarnessError or an API refusal (bad input, bad usage, a
 * harness or environment problem). Stable: scripts and vendors match on them. Declared once,
 * so a code that is not listed here does not compile. Never the name of a check (CheckId) or
 * of an analysis finding (FindingCode): a test keeps the three families disjoint.
 */
export const ERROR_CODES = [
  // input that is not what it claims to be
  'BAD_INPUT', 'BAD_JSON', 'BAD_BASE64URL', 'BAD_CBOR', 'BAD_DER', 'BAD_CERTIFICATE', 'BAD_COSE_KEY', 'UNSUPPORTED_ALGORITHM',
  'BAD_RESPONSE', 'BAD_CLIENT_DATA', 'BAD_AUTHENTICATOR_DATA', 'BAD_ATTESTATION_OBJECT', 'BAD_TPM_STRUCTURE',
  'NON_CANONICAL_CBOR', 'BAD_MDS_BLOB', 'BAD_STATEMENT', 'BAD_PROFILE', 'BAD_REPORT',
  // usage and configuration
  'BAD_USAGE', 'BAD_CONFIG', 'USERNAME_TAKEN',
  // metadata service and the network
  'MDS_BLOB_INVALID', 'MDS_HTTP', 'MDS_UNREACHABLE', 'MDS_NOT_CACHED', 'MDS_NO_REGRESSION',
  // devices (CTAP): a status a device answered, and devices that cannot be talked to
  'CTAP_STATUS', 'DEVICE_TIMEOUT', 'DEVICE_PROTOCOL', 'DEVICE_UNREACHABLE', 'DEVICE_NOT_FOUND', 'DEVICE_CANCELLED',
  // stores
  'STORE_TOO_NEW', 'STORE_UNREACHABLE',
  // runs, shards
  'RUN_UNKNOWN', 'RUN_FAILED', 'SHARDS_DISAGREE',
  // accounts on a shared server
  'ACCOUNT_REQUIRED', 'ACCOUNTS_OFF', 'ACCOUNT_FORBIDDEN', 'ACCOUNT_EXISTS', 'INVITE_INVALID', 'ADMIN_REQUIRED',
  'USB_LOCAL_ONLY', 'USB_UNAVAILABLE', 'USB_BUSY', 'USB_CTAP1_ONLY', 'PIN_REQUIRED',
  // the HTTP API's refusals
  'BAD_REQUEST', 'BODY_TOO_LARGE', 'JSON_TOO_DEEP', 'URI_TOO_LONG', 'UNSUPPORTED_MEDIA_TYPE', 'NOT_FOUND', 'INTERNAL',
  'REQUEST_TIMEOUT', 'HOST_NOT_ALLOWED', 'CROSS_SITE_REFUSED', 'TOKEN_REQUIRED', 'TOO_MANY_CHALLENGES',
  'USER_UNKNOWN', 'CREDENTIAL_UNKNOWN', 'CREDENTIAL_EXISTS', 'CREDENTIAL_NOT_ALLOWED', 'USER_HANDLE_MISSING',
  'CHALLENGE_UNKNOWN', 'CHALLENGE_EXPIRED', 'CHALLENGE_SESSION_MISMATCH', 'CHALLENGE_WRONG_CEREMONY', 'CHALLENGE_WRONG_STEP', 'WRONG_ACCOUNT_PICKED', 'KEY_CHANGED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
