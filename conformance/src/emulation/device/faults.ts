import { HID_FAULTS } from '../../ctap/hid/CtapHidServer.ts';
import { NFC_FAULTS } from '../../ctap/iso7816/NfcCard.ts';
import { AUTH_DATA_FAULTS } from './authData.ts';
import { MAKE_CREDENTIAL_FAULTS } from './makeCredential.ts';
import { GET_ASSERTION_FAULTS } from './getAssertion.ts';
import { CLIENT_PIN_FAULTS } from './clientPin.ts';
import { PIN_UV_AUTH_FAULTS } from './pinUvAuth.ts';
import { CREDENTIAL_MANAGEMENT_FAULTS } from './credentialManagement.ts';
import { CONFIG_FAULTS } from './config.ts';
import { BIO_ENROLLMENT_FAULTS } from './bioEnrollment.ts';
import { LARGE_BLOBS_FAULTS } from './largeBlobs.ts';
import { RESET_FAULTS } from './reset.ts';
import { GET_INFO_FAULTS } from './getInfo.ts';
import { U2F_FAULTS } from './u2f.ts';
import { HMAC_SECRET_FAULTS } from './extensions/hmacSecret.ts';
import { HMAC_SECRET_MC_FAULTS } from './extensions/hmacSecretMc.ts';
import { CRED_PROTECT_FAULTS } from './extensions/credProtect.ts';
import { CRED_BLOB_FAULTS } from './extensions/credBlob.ts';
import { MIN_PIN_LENGTH_FAULTS } from './extensions/minPinLength.ts';
import { THIRD_PARTY_PAYMENT_FAULTS } from './extensions/thirdPartyPayment.ts';
import { LARGE_BLOB_FAULTS } from './extensions/largeBlob.ts';

/** Faults of the device as a whole (not of one command). */
export const DEVICE_FAULTS = {
  wrongMissingParameterStatus: 'a missing required parameter answered with CTAP2_ERR_INVALID_CBOR instead of CTAP2_ERR_MISSING_PARAMETER',
  credentialsLostOnPowerCycle: 'credentials gone after a power cycle (they must persist)',
  maxMsgSizeNotEnforced: 'a request longer than getInfo maxMsgSize processed',
} as const;

/**
 * The fault tables by where each is declared, next to the rule it breaks: what the docs' fault
 * table lists, group by group.
 */
export const FAULT_GROUPS = [
  { group: 'CTAPHID', file: 'ctap/hid/CtapHidServer.ts', faults: HID_FAULTS },
  { group: 'NFC (ISO 7816-4)', file: 'ctap/iso7816/NfcCard.ts', faults: NFC_FAULTS },
  { group: 'the device', file: 'emulation/device/faults.ts', faults: DEVICE_FAULTS },
  { group: 'authenticatorGetInfo', file: 'emulation/device/getInfo.ts', faults: GET_INFO_FAULTS },
  { group: 'authenticator data and attestation', file: 'emulation/device/authData.ts', faults: AUTH_DATA_FAULTS },
  { group: 'authenticatorMakeCredential', file: 'emulation/device/makeCredential.ts', faults: MAKE_CREDENTIAL_FAULTS },
  { group: 'authenticatorGetAssertion', file: 'emulation/device/getAssertion.ts', faults: GET_ASSERTION_FAULTS },
  { group: 'pinUvAuthParam and tokens', file: 'emulation/device/pinUvAuth.ts', faults: PIN_UV_AUTH_FAULTS },
  { group: 'authenticatorClientPIN', file: 'emulation/device/clientPin.ts', faults: CLIENT_PIN_FAULTS },
  { group: 'authenticatorCredentialManagement', file: 'emulation/device/credentialManagement.ts', faults: CREDENTIAL_MANAGEMENT_FAULTS },
  { group: 'authenticatorConfig', file: 'emulation/device/config.ts', faults: CONFIG_FAULTS },
  { group: 'authenticatorBioEnrollment', file: 'emulation/device/bioEnrollment.ts', faults: BIO_ENROLLMENT_FAULTS },
  { group: 'authenticatorLargeBlobs', file: 'emulation/device/largeBlobs.ts', faults: LARGE_BLOBS_FAULTS },
  { group: 'authenticatorReset', file: 'emulation/device/reset.ts', faults: RESET_FAULTS },
  { group: 'CTAP1/U2F', file: 'emulation/device/u2f.ts', faults: U2F_FAULTS },
  { group: 'hmac-secret', file: 'emulation/device/extensions/hmacSecret.ts', faults: HMAC_SECRET_FAULTS },
  { group: 'hmac-secret-mc', file: 'emulation/device/extensions/hmacSecretMc.ts', faults: HMAC_SECRET_MC_FAULTS },
  { group: 'credProtect', file: 'emulation/device/extensions/credProtect.ts', faults: CRED_PROTECT_FAULTS },
  { group: 'credBlob', file: 'emulation/device/extensions/credBlob.ts', faults: CRED_BLOB_FAULTS },
  { group: 'minPinLength', file: 'emulation/device/extensions/minPinLength.ts', faults: MIN_PIN_LENGTH_FAULTS },
  { group: 'thirdPartyPayment', file: 'emulation/device/extensions/thirdPartyPayment.ts', faults: THIRD_PARTY_PAYMENT_FAULTS },
  { group: 'largeBlob (CTAP 2.3 extension)', file: 'emulation/device/extensions/largeBlob.ts', faults: LARGE_BLOB_FAULTS },
] as const;

/**
 * Every defect the software key can be told to have, by name, with what it breaks: the union of
 * the tables each command file declares next to the rule it breaks (a profile naming an unknown
 * fault is refused).
 */
export const SOFT_FAULTS = {
  ...HID_FAULTS,
  ...NFC_FAULTS,
  ...DEVICE_FAULTS,
  ...GET_INFO_FAULTS,
  ...AUTH_DATA_FAULTS,
  ...MAKE_CREDENTIAL_FAULTS,
  ...GET_ASSERTION_FAULTS,
  ...PIN_UV_AUTH_FAULTS,
  ...CLIENT_PIN_FAULTS,
  ...CREDENTIAL_MANAGEMENT_FAULTS,
  ...CONFIG_FAULTS,
  ...BIO_ENROLLMENT_FAULTS,
  ...LARGE_BLOBS_FAULTS,
  ...RESET_FAULTS,
  ...U2F_FAULTS,
  ...HMAC_SECRET_FAULTS,
  ...HMAC_SECRET_MC_FAULTS,
  ...CRED_PROTECT_FAULTS,
  ...CRED_BLOB_FAULTS,
  ...MIN_PIN_LENGTH_FAULTS,
  ...THIRD_PARTY_PAYMENT_FAULTS,
  ...LARGE_BLOB_FAULTS,
} as const;

export type SoftFaultName = keyof typeof SOFT_FAULTS;
export type SoftFaults = Partial<Record<SoftFaultName, boolean>>;
export const SOFT_FAULT_NAMES = Object.keys(SOFT_FAULTS) as SoftFaultName[];
