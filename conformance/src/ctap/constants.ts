/** CTAPHID (CTAP 2.1 §11.2.9): commands carry the 0x80 bit in an initialisation packet. */
export const CTAPHID = {
  PING: 0x01,
  MSG: 0x03,
  LOCK: 0x04,
  INIT: 0x06,
  WINK: 0x08,
  CBOR: 0x10,
  CANCEL: 0x11,
  KEEPALIVE: 0x3b,
  ERROR: 0x3f,
} as const;
export const CTAPHID_NAMES: Record<number, string> = Object.fromEntries(Object.entries(CTAPHID).map(([k, v]) => [v, `CTAPHID_${k}`]));

/** KEEPALIVE status (§11.2.9.1.7) */
export const KEEPALIVE = { PROCESSING: 1, UP_NEEDED: 2 } as const;
/** INIT capability flags (§11.2.9.1.3) */
export const CAPABILITY = { WINK: 0x01, CBOR: 0x04, NMSG: 0x08 } as const;

export const BROADCAST_CID = 0xffffffff;
export const HID_REPORT_SIZE = 64;
export const INIT_DATA = HID_REPORT_SIZE - 7;
export const CONT_DATA = HID_REPORT_SIZE - 5;
/** the largest message CTAPHID can carry: one init packet and 128 continuations */
export const MAX_HID_MESSAGE = INIT_DATA + 128 * CONT_DATA;

/** authenticator API command bytes (CTAP 2.1 §6) */
export const CTAP2 = {
  makeCredential: 0x01,
  getAssertion: 0x02,
  getInfo: 0x04,
  clientPIN: 0x06,
  reset: 0x07,
  getNextAssertion: 0x08,
  bioEnrollment: 0x09,
  credentialManagement: 0x0a,
  selection: 0x0b,
  largeBlobs: 0x0c,
  config: 0x0d,
  bioEnrollmentPreview: 0x40,
  credentialManagementPreview: 0x41,
} as const;
export const CTAP2_NAMES: Record<number, string> = Object.fromEntries(Object.entries(CTAP2).map(([k, v]) => [v, `authenticator${k[0]!.toUpperCase()}${k.slice(1)}`]));

/** clientPIN subcommands (§6.5.5) */
export const PIN_SUB = {
  getPINRetries: 0x01,
  getKeyAgreement: 0x02,
  setPIN: 0x03,
  changePIN: 0x04,
  getPinToken: 0x05,
  getPinUvAuthTokenUsingUvWithPermissions: 0x06,
  getUVRetries: 0x07,
  getPinUvAuthTokenUsingPinWithPermissions: 0x09,
} as const;

/** pinUvAuthToken permissions (§6.5.5.7; pcmr, the persistent read-only credential management permission, CTAP 2.2) */
export const PERMISSION = { mc: 0x01, ga: 0x02, cm: 0x04, be: 0x08, lbw: 0x10, acfg: 0x20, pcmr: 0x40 } as const;
export type PermissionName = keyof typeof PERMISSION;

/** The permission names in a bit set ("mc+ga"). */
export function permissionNames(bits: number): string {
  const names = (Object.entries(PERMISSION) as [PermissionName, number][]).filter(([, b]) => bits & b).map(([n]) => n);
  return names.length ? names.join('+') : 'none';
}

/** credentialManagement subcommands (§6.8) */
export const CM_SUB = {
  getCredsMetadata: 0x01,
  enumerateRPsBegin: 0x02,
  enumerateRPsGetNextRP: 0x03,
  enumerateCredentialsBegin: 0x04,
  enumerateCredentialsGetNextCredential: 0x05,
  deleteCredential: 0x06,
  updateUserInformation: 0x07,
} as const;

/** authenticatorConfig subcommands (CTAP 2.1 §6.11; enableLongTouchForReset CTAP 2.2) */
export const CONFIG_SUB = {
  enableEnterpriseAttestation: 0x01,
  toggleAlwaysUv: 0x02,
  setMinPINLength: 0x03,
  enableLongTouchForReset: 0x04,
  vendorPrototype: 0xff,
} as const;

/** authenticatorBioEnrollment subcommands (CTAP 2.1 §6.7) */
export const BIO_SUB = {
  enrollBegin: 0x01,
  enrollCaptureNextSample: 0x02,
  cancelCurrentEnrollment: 0x03,
  enumerateEnrollments: 0x04,
  setFriendlyName: 0x05,
  removeEnrollment: 0x06,
  getFingerprintSensorInfo: 0x07,
} as const;

/** lastEnrollSampleStatus (CTAP 2.1 §6.7.2) */
export const ENROLL_FEEDBACK = {
  FP_GOOD: 0x00,
  FP_TOO_HIGH: 0x01,
  FP_TOO_LOW: 0x02,
  FP_TOO_LEFT: 0x03,
  FP_TOO_RIGHT: 0x04,
  FP_TOO_FAST: 0x05,
  FP_TOO_SLOW: 0x06,
  FP_POOR_QUALITY: 0x07,
  FP_TOO_SKEWED: 0x08,
  FP_TOO_SHORT: 0x09,
  FP_MERGE_FAILURE: 0x0a,
  FP_EXISTS: 0x0b,
  NO_USER_ACTIVITY: 0x0d,
  NO_UP_TRANSITION: 0x0e,
} as const;

/** credProtect levels (§12.1) */
export const CRED_PROTECT = { userVerificationOptional: 1, userVerificationOptionalWithCredentialIDList: 2, userVerificationRequired: 3 } as const;
