import { AttestationCa, type LeafOptions } from '../emulation/AttestationCa.ts';
import { SoftAuthenticator, type SoftFaults, type SoftFeatures } from '../emulation/SoftAuthenticator.ts';
import { FAULT_GROUPS } from '../emulation/device/faults.ts';
import { compliantEntry } from '../mds/TestMdsSigner.ts';
import type { MetadataEntry } from '../mds/MetadataBlob.ts';
import { runWithSoftAuthenticator } from './runWithSoftAuthenticator.ts';
import { serveUdpDevice } from '../ctap/transport/UdpDeviceEndpoint.ts';
import { openUdpTransport } from '../ctap/transport/UdpTransport.ts';
import { udpPowerCycler } from '../ctap/transport/udpPowerCycler.ts';
import { connectDevice } from '../ctap/CtapDevice.ts';
import { evaluateRun, type RunReport } from '../checks/evaluateRun.ts';
import type { RunEvidence } from '../checks/RunEvidence.ts';
import type { CheckId } from '../checks/checkIds.ts';
import { REACTION_MS, personTouchingAfter } from '../emulation/softPerson.ts';
import { NFC_FAULTS } from '../ctap/iso7816/NfcCard.ts';

/**
 * Every defect the software authenticator can be told to have, and the checks that must
 * catch it: the proof that no fault passes unnoticed and no unrelated check fires.
 */
export interface FaultCase {
  fault: string;
  what: string;
  faults?: SoftFaults;
  features?: SoftFeatures;
  leaf?: Partial<LeafOptions>;
  /** chain to a root that the MDS entry does not list */
  otherRoot?: boolean;
  entry?: (e: MetadataEntry) => void;
  /** the key does enterprise attestation (with the attestation leaf as its device-unique certificate) */
  enterprise?: { rpIds: string[]; enabled: boolean };
  /** how the run treats the key: what it may change (default: everything but reset), whether it sets a PIN */
  run?: { destructive?: boolean; allowReset?: boolean; setPin?: string | false };
  /** the link the case needs (an NFC fault shows only over NFC); default in-process CTAPHID */
  link?: 'nfc';
  /** over NFC, the same key's USB side too (in process): a key with both interfaces */
  otherInterface?: boolean;
  /** exactly these checks fail */
  expect: CheckId[];
}

/** What a scenario may change beyond faults: for the catalogue's own pass/fail tests. */
export interface Scenario extends Partial<FaultCase> {
  attestation?: 'packed-self' | 'packed-full';
  /** run without an MDS entry */
  noEntry?: boolean;
  /** edit the evidence after the run (e.g. a format no key would send) */
  rewrite?: (run: RunEvidence) => void;
}

const gi = (e: MetadataEntry) => e.metadataStatement!.authenticatorGetInfo as { extensions: string[]; options: Record<string, boolean> };

export const FAULT_CASES: readonly FaultCase[] = [
  { fault: 'bogusAttestationSignature', what: 'bogus attestation signature', faults: { bogusAttestationSignature: true }, expect: ['ATT_PACKED_CHAIN_TO_MDS_ROOT'] },
  { fault: 'attestationSignedByCredentialKey', what: 'statement signed by the credential key instead of the attestation key', faults: { attestationSignedByCredentialKey: true }, expect: ['ATT_PACKED_CHAIN_TO_MDS_ROOT'] },
  { fault: 'aaguidMismatch', what: 'AAGUID in authData differs from the certificate', faults: { aaguidMismatch: true }, expect: ['ATT_AAGUID_MATCHES_CERT_AND_MDS', 'ATT_PACKED_CHAIN_TO_MDS_ROOT', 'CTAP_GETINFO_WELL_FORMED'] },
  { fault: 'certificateWithoutOU', what: 'attestation certificate without OU "Authenticator Attestation"', leaf: { subject: 'C=US, O=fido2-harness, CN=Test' }, expect: ['ATT_PACKED_CHAIN_TO_MDS_ROOT'] },
  { fault: 'certificateIsCA', what: 'attestation certificate with basic constraints CA=true', leaf: { ca: true }, expect: ['ATT_PACKED_CHAIN_TO_MDS_ROOT'] },
  { fault: 'expiredLeaf', what: 'attestation certificate expired', leaf: { notAfter: new Date(Date.UTC(2029, 0, 1)) }, expect: ['ATT_PACKED_CHAIN_TO_MDS_ROOT', 'HYG_ATT_CERT_VALIDITY'] },
  { fault: 'notYetValidLeaf', what: 'attestation certificate not yet valid', leaf: { notBefore: new Date(Date.UTC(2031, 0, 1)) }, expect: ['ATT_PACKED_CHAIN_TO_MDS_ROOT', 'HYG_ATT_CERT_VALIDITY'] },
  { fault: 'rootNotInMds', what: 'chain to a root the MDS entry does not list', otherRoot: true, expect: ['ATT_PACKED_CHAIN_TO_MDS_ROOT'] },
  { fault: 'wrongRpIdHash', what: 'rpIdHash of another RP ID', faults: { wrongRpIdHash: true }, expect: ['WEBAUTHN_RP_VERIFICATION'] },
  { fault: 'noUP', what: 'UP flag cleared', faults: { noUP: true }, expect: ['HYG_UP_ALWAYS', 'CTAP_USER_PRESENCE'] },
  { fault: 'uvWithoutVerification', what: 'UV claimed without verification (PIN-only key)', features: { uv: false, clientPin: { pin: '1234' } }, faults: { uvWithoutVerification: true }, expect: ['HYG_UV_ONLY_WHEN_VERIFIED'] },
  { fault: 'counterBackwards', what: 'signature counter going backwards', faults: { counterBackwards: true }, expect: ['HYG_SIGN_COUNT'] },
  { fault: 'hmacUnstable', what: 'hmac-secret output unstable for the same salt', faults: { hmacUnstable: true }, expect: ['EXT_HMAC_SECRET_OR_PRF', 'CTAP_HMAC_SECRET', 'CTAP_HMAC_SECRET_MC'] },
  { fault: 'residentNotStored', what: 'resident key silently not stored', faults: { residentNotStored: true }, expect: ['DECL_RK', 'RK_DISCOVERABLE_SIGN_IN', 'RK_MULTIPLE_ACCOUNTS_PER_RP', 'CTAP_CREDENTIAL_MANAGEMENT'] },
  { fault: 'singleResidentSlot', what: 'second account overwriting the first', faults: { singleResidentSlot: true }, expect: ['RK_MULTIPLE_ACCOUNTS_PER_RP', 'CTAP_CREDENTIAL_MANAGEMENT', 'CTAP_CRED_PROTECT_ENFORCED'] },
  { fault: 'metadataDeclaresMissingCapability', what: 'metadata declaring a capability the key lacks (credBlob)', entry: (e) => gi(e).extensions.push('credBlob'), expect: ['DECL_EXTENSIONS', 'CTAP_GETINFO_MATCHES_METADATA'] },
  { fault: 'nonCanonicalCbor', what: 'non-canonical CBOR (attestation object keys out of order)', faults: { nonCanonicalCbor: true }, expect: ['HYG_CANONICAL_CBOR'] },
  { fault: 'trailingCbor', what: 'trailing CBOR (a stray item after the authenticator data\'s last field)', faults: { trailingCbor: true }, expect: ['HYG_NO_TRAILING_BYTES'] },
  // malformed authenticator data: the client (as a browser would) cannot read the credential, so every
  // registration fails and what needs one fails with it; inspect and the RP name the byte (AUTHDATA_STRUCTURE)
  { fault: 'coseKeyMiscounted', what: 'a COSE key map claiming one more entry than it holds', faults: { coseKeyMiscounted: true }, expect: ['CTAP_CONFIG', 'CTAP_CREDENTIAL_MANAGEMENT', 'CTAP_CRED_PROTECT_ENFORCED', 'CTAP_EXTENSIONS_ANSWER', 'CTAP_GETINFO_WELL_FORMED', 'CTAP_HMAC_SECRET_MC', 'CTAP_MC_RESPONSE', 'EXT_HMAC_SECRET_OR_PRF', 'RK_DISCOVERABLE_SIGN_IN', 'RK_MULTIPLE_ACCOUNTS_PER_RP'] },
  { fault: 'truncatedAaguid', what: 'authenticator data cut inside the AAGUID', faults: { truncatedAaguid: true }, expect: ['CTAP_CONFIG', 'CTAP_CREDENTIAL_MANAGEMENT', 'CTAP_CRED_PROTECT_ENFORCED', 'CTAP_EXCLUDE_LIST', 'CTAP_EXTENSIONS_ANSWER', 'CTAP_GA_REQUEST', 'CTAP_HMAC_SECRET', 'CTAP_HMAC_SECRET_MC', 'CTAP_MC_REQUEST', 'CTAP_PIN_UV_AUTH_PARAM_EMPTY', 'CTAP_PIN_UV_AUTH_PROTOCOLS', 'CTAP_POWER_CYCLE', 'CTAP_U2F_INTEROP', 'CTAP_USER_PRESENCE', 'CTAP_UV_REQUIRED', 'CTAP_WIN_PIN_SETUP', 'EXT_HMAC_SECRET_OR_PRF', 'RK_DISCOVERABLE_SIGN_IN', 'RK_MULTIPLE_ACCOUNTS_PER_RP'] },
  { fault: 'wrongCoseKeyType', what: 'wrong COSE key type for the credential key', faults: { wrongCoseKeyType: true }, expect: ['WEBAUTHN_RP_VERIFICATION'] },
  { fault: 'bsWithoutBe', what: 'backup state without backup eligibility', faults: { bsWithoutBe: true }, expect: ['HYG_BE_BS'] },
  { fault: 'shortCredentialId', what: '8-byte credential IDs', faults: { shortCredentialId: true }, expect: ['HYG_CREDENTIAL_ID_LENGTH'] },
  { fault: 'counterStuck', what: 'signature counter stuck', faults: { counterStuck: true }, expect: ['HYG_SIGN_COUNT'] },
  // CTAP level: what only the key's own protocol shows (check --ctap; check --emulate runs the same probes)
  { fault: 'getInfoDeclaresMissingExtension', what: 'getInfo declaring an extension the key lacks (credBlob)', faults: { getInfoDeclaresMissingExtension: true }, expect: ['CTAP_GETINFO_MATCHES_METADATA', 'CTAP_EXTENSIONS_ANSWER', 'CTAP_CRED_BLOB'] },
  { fault: 'getInfoAaguidMismatch', what: 'getInfo AAGUID differing from the one in authenticator data', faults: { getInfoAaguidMismatch: true }, expect: ['CTAP_GETINFO_WELL_FORMED', 'CTAP_GETINFO_MATCHES_METADATA'] },
  // platforms (Windows, Chromium) use protocol 2 when a key lists it, so every ceremony needing UV fails too
  { fault: 'pinProtocol2Broken', what: 'PIN/UV auth protocol 2 advertised, its tokens wrong', faults: { pinProtocol2Broken: true }, expect: ['CTAP_CONFIG', 'CTAP_CREDENTIAL_MANAGEMENT', 'CTAP_CRED_PROTECT_ENFORCED', 'CTAP_EXTENSIONS_ANSWER', 'CTAP_HMAC_SECRET', 'CTAP_PERSISTENT_TOKEN', 'CTAP_PIN_UV_AUTH_PROTOCOLS', 'CTAP_TOKEN_PERMISSIONS', 'CTAP_WIN_PIN_SETUP', 'DECL_RK', 'DECL_UV_OR_CLIENT_PIN', 'EXT_HMAC_SECRET_OR_PRF', 'RK_DISCOVERABLE_SIGN_IN', 'RK_MULTIPLE_ACCOUNTS_PER_RP', 'UV_FLAG_WHEN_REQUIRED'] },
  { fault: 'hmacIgnoresSecondSalt', what: 'hmac-secret answering the first salt\'s output for the second', faults: { hmacIgnoresSecondSalt: true }, expect: ['CTAP_HMAC_SECRET'] },
  { fault: 'hmacSameWithAndWithoutUv', what: 'hmac-secret output not depending on user verification', faults: { hmacSameWithAndWithoutUv: true }, expect: ['CTAP_HMAC_SECRET'] },
  { fault: 'credMgmtMissesAccounts', what: 'credential management listing one credential per RP', faults: { credMgmtMissesAccounts: true }, expect: ['CTAP_CREDENTIAL_MANAGEMENT'] },
  { fault: 'credProtectNotEnforced', what: 'credProtect stored but not enforced', faults: { credProtectNotEnforced: true }, expect: ['CTAP_CRED_PROTECT_ENFORCED'] },
  { fault: 'wrongMissingParameterStatus', what: 'CTAP2_ERR_INVALID_CBOR for a missing parameter', faults: { wrongMissingParameterStatus: true }, expect: ['CTAP_ERROR_CODES'] },
  { fault: 'noKeepalive', what: 'no KEEPALIVE while waiting for a touch', faults: { noKeepalive: true }, expect: ['CTAP_USER_PRESENCE'] },
  { fault: 'pinRetriesNotDecremented', what: 'a wrong PIN refused without costing a retry', features: { clientPin: { pin: '1234' } }, faults: { pinRetriesNotDecremented: true }, expect: ['CTAP_PIN_RETRIES'] },
  { fault: 'u2fBogusRegisterSignature', what: 'U2F_REGISTER signed over the wrong bytes', faults: { u2fBogusRegisterSignature: true }, expect: ['CTAP_U2F_INTEROP'] },
  { fault: 'cancelIgnored', what: 'CTAPHID_CANCEL ignored while waiting for a touch', faults: { cancelIgnored: true }, expect: ['CTAP_HID_CANCEL'] },
  { fault: 'selectWrongVersion', what: NFC_FAULTS.selectWrongVersion, faults: { selectWrongVersion: true }, link: 'nfc', expect: ['NFC_SELECT'] },
  { fault: 'selectAnyAid', what: NFC_FAULTS.selectAnyAid, faults: { selectAnyAid: true }, link: 'nfc', expect: ['NFC_SELECT'] },
  { fault: 'getResponseIgnoresLe', what: NFC_FAULTS.getResponseIgnoresLe, faults: { getResponseIgnoresLe: true }, link: 'nfc', expect: ['NFC_GET_RESPONSE'] },
  { fault: 'chainingBroken', what: NFC_FAULTS.chainingBroken, faults: { chainingBroken: true }, link: 'nfc', expect: ['NFC_CHAINING'] },
  { fault: 'extendedClaimedNotAccepted', what: NFC_FAULTS.extendedClaimedNotAccepted, faults: { extendedClaimedNotAccepted: true }, link: 'nfc', expect: ['NFC_EXTENDED_APDU'] },
  { fault: 'tapAlwaysPresence', what: NFC_FAULTS.tapAlwaysPresence, faults: { tapAlwaysPresence: true }, link: 'nfc', expect: ['CTAP_USER_PRESENCE'] },
  { fault: 'credentialsPerTransport', what: 'a credential made over NFC is unknown over the same key\'s USB interface', faults: { credentialsPerTransport: true }, link: 'nfc', otherInterface: true, expect: ['NFC_USB_SAME_CREDENTIAL'] },
  { fault: 'nfcNotInTransports', what: 'getInfo transports leave out "nfc" on a key that answers over NFC', features: { transports: ['usb'] }, link: 'nfc', expect: ['NFC_TRANSPORTS'] },
  { fault: 'acceptWrongChannel', what: 'a report on a channel never allocated accepted', faults: { acceptWrongChannel: true }, expect: ['CTAP_HID_UNALLOCATED_CHANNEL'] },
  { fault: 'hidInitReusesChannel', what: 'CTAPHID_INIT handing out the same channel again', faults: { hidInitReusesChannel: true }, expect: ['CTAP_HID_INIT'] },
  { fault: 'hidSequenceNotChecked', what: 'continuation packets taken out of sequence', faults: { hidSequenceNotChecked: true }, expect: ['CTAP_HID_ERRORS'] },
  { fault: 'channelBusyIgnored', what: "a second channel's message replacing a half-received one", faults: { channelBusyIgnored: true }, expect: ['CTAP_HID_CHANNELS'] },
  { fault: 'hidMessageNeverTimesOut', what: 'a half-sent message holding the key', faults: { hidMessageNeverTimesOut: true }, expect: ['CTAP_HID_CHANNELS'] },
  { fault: 'winkIgnored', what: 'CAPABILITY_WINK advertised, WINK refused', faults: { winkIgnored: true }, expect: ['CTAP_HID_WINK_LOCK'] },
  { fault: 'pubKeyCredParamsNotValidated', what: 'malformed pubKeyCredParams elements skipped, not refused', faults: { pubKeyCredParamsNotValidated: true }, expect: ['CTAP_MC_REQUEST'] },
  { fault: 'entityTypesNotChecked', what: 'rp and user members of the wrong type accepted', faults: { entityTypesNotChecked: true }, expect: ['CTAP_MC_REQUEST', 'CTAP_ERROR_CODES'] },
  { fault: 'unknownOptionRefused', what: 'an unknown option refused instead of ignored', faults: { unknownOptionRefused: true }, expect: ['CTAP_MC_REQUEST', 'CTAP_GA_REQUEST'] },
  { fault: 'upFalseAccepted', what: 'makeCredential with up = false accepted', faults: { upFalseAccepted: true }, expect: ['CTAP_MC_REQUEST'] },
  { fault: 'descriptorsNotValidated', what: 'malformed excludeList and allowList descriptors accepted', faults: { descriptorsNotValidated: true }, expect: ['CTAP_MC_REQUEST', 'CTAP_GA_REQUEST', 'CTAP_ERROR_CODES'] },
  { fault: 'rkOptionAccepted', what: 'getAssertion with the rk option accepted', faults: { rkOptionAccepted: true }, expect: ['CTAP_GA_REQUEST'] },
  { fault: 'presenceBeforeNoCredentials', what: 'a touch asked for before CTAP2_ERR_NO_CREDENTIALS', faults: { presenceBeforeNoCredentials: true }, expect: ['CTAP_GA_REQUEST'] },
  { fault: 'zeroLengthPinAuthNotProbed', what: 'a zero-length pinUvAuthParam refused at once, without a touch', faults: { zeroLengthPinAuthNotProbed: true }, expect: ['CTAP_PIN_UV_AUTH_PARAM_EMPTY'] },
  { fault: 'uvNotRequiredWithPin', what: 'a protected key making a discoverable credential without verification', faults: { uvNotRequiredWithPin: true }, expect: ['CTAP_UV_REQUIRED'] },
  { fault: 'excludeListWithoutPresence', what: 'CTAP2_ERR_CREDENTIAL_EXCLUDED without a touch (a PIN key: its tokens carry no touch)', features: { uv: false, clientPin: { pin: '1234' } }, faults: { excludeListWithoutPresence: true }, expect: ['CTAP_EXCLUDE_LIST'] },
  { fault: 'epAttWithoutEnterprise', what: 'epAtt true without an enterprise attestation', faults: { epAttWithoutEnterprise: true }, expect: ['CTAP_MC_RESPONSE'] },
  { fault: 'userDetailsWithoutUv', what: "the user's name and displayName without user verification", faults: { userDetailsWithoutUv: true }, expect: ['CTAP_GA_RESPONSE'] },
  { fault: 'numberOfCredentialsWithAllowList', what: 'numberOfCredentials for a request with an allowList', faults: { numberOfCredentialsWithAllowList: true }, expect: ['CTAP_GA_RESPONSE'] },
  { fault: 'tokenReusable', what: 'a token still good after the operation that tested presence', faults: { tokenReusable: true }, expect: ['CTAP_TOKEN_PERMISSIONS'] },
  { fault: 'tokenIgnoresRpId', what: "a token's RP ID not enforced", faults: { tokenIgnoresRpId: true }, expect: ['CTAP_TOKEN_PERMISSIONS'] },
  { fault: 'tokenIgnoresPermissions', what: "a token's permissions not enforced", faults: { tokenIgnoresPermissions: true }, expect: ['CTAP_TOKEN_PERMISSIONS'] },
  { fault: 'unauthorizedPermissionGranted', what: 'a token granted a permission for a feature the key lacks', faults: { unauthorizedPermissionGranted: true }, expect: ['CTAP_TOKEN_PERMISSIONS'] },
  { fault: 'persistentTokenCanDelete', what: 'the read-only persistent token deleting credentials', faults: { persistentTokenCanDelete: true }, expect: ['CTAP_PERSISTENT_TOKEN'] },
  { fault: 'encIdentifierWrongKey', what: 'encIdentifier encrypted with another key', faults: { encIdentifierWrongKey: true }, expect: ['CTAP_PERSISTENT_TOKEN'] },
  { fault: 'credStoreStateStale', what: 'encCredStoreState not following the credentials', faults: { credStoreStateStale: true }, expect: ['CTAP_PERSISTENT_TOKEN'] },
  { fault: 'hmacMissingParameterStatus', what: 'an hmac-secret input without saltAuth answered INVALID_PARAMETER', faults: { hmacMissingParameterStatus: true }, expect: ['CTAP_HMAC_SECRET'] },
  { fault: 'hmacSecretMcOtherSecret', what: 'hmac-secret-mc outputs from another secret than getAssertion uses', features: { hmacSecretMc: true }, faults: { hmacSecretMcOtherSecret: true }, expect: ['CTAP_HMAC_SECRET_MC'] },
  { fault: 'credBlobTooLongAccepted', what: 'a credBlob over maxCredBlobLength stored', features: { credBlob: true }, faults: { credBlobTooLongAccepted: true }, expect: ['CTAP_CRED_BLOB'] },
  { fault: 'thirdPartyPaymentNotReported', what: 'thirdPartyPayment false for the payment credential', features: { thirdPartyPayment: true }, faults: { thirdPartyPaymentNotReported: true }, expect: ['CTAP_THIRD_PARTY_PAYMENT'] },
  { fault: 'minPinLengthToAnyRp', what: 'the minimum PIN length told to any RP', features: { minPinLength: 4 }, faults: { minPinLengthToAnyRp: true }, expect: ['CTAP_MIN_PIN_LENGTH'] },
  { fault: 'credentialsLostOnPowerCycle', what: 'credentials gone after a power cycle', faults: { credentialsLostOnPowerCycle: true }, expect: ['CTAP_POWER_CYCLE'] },
  { fault: 'tokenSurvivesPowerCycle', what: 'a token still good after a power cycle', faults: { tokenSurvivesPowerCycle: true }, expect: ['CTAP_POWER_CYCLE'] },
  { fault: 'pinRetriesNotPersistent', what: 'spent PIN retries back after a power cycle', features: { uv: false, clientPin: { pin: '1234' } }, faults: { pinRetriesNotPersistent: true }, expect: ['CTAP_POWER_CYCLE'] },
  { fault: 'pinAuthBlockedNotEnforced', what: 'PIN entry not blocked after three wrong PINs', features: { uv: false, clientPin: { pin: '1234' } }, faults: { pinAuthBlockedNotEnforced: true }, expect: ['CTAP_PIN_BLOCKING'] },
  { fault: 'pinPolicyNotEnforced', what: 'PINs shorter than minPINLength or longer than 63 bytes accepted', faults: { pinPolicyNotEnforced: true }, expect: ['CTAP_PIN_POLICY'] },
  { fault: 'paddedPinLengthNotChecked', what: 'a padded PIN block that is not 64 bytes accepted', faults: { paddedPinLengthNotChecked: true }, expect: ['CTAP_PIN_POLICY'] },
  { fault: 'pinComplexityNotEnforced', what: 'a trivial PIN accepted with the complexity policy on', features: { pinComplexityPolicy: 'on' }, faults: { pinComplexityNotEnforced: true }, expect: ['CTAP_PIN_POLICY'] },
  { fault: 'pinSetNeedsPowerCycle', what: 'a new PIN that works only after a power cycle', faults: { pinSetNeedsPowerCycle: true }, expect: ['CTAP_WIN_PIN_SETUP'] },
  { fault: 'pinProtocol1First', what: 'PIN/UV auth protocol 1 listed before 2', features: { pinProtocols: [1, 2] }, expect: ['CTAP_WIN_PIN_PROTOCOL_2'] },
  { fault: 'noHmacSecretMc', what: 'hmac-secret without hmac-secret-mc', features: { hmacSecretMc: false }, expect: ['CTAP_WIN_PRF_AT_CREATE'] },
  { fault: 'configWithoutAuth', what: 'authenticatorConfig without a token on a protected key', faults: { configWithoutAuth: true }, expect: ['CTAP_CONFIG'] },
  { fault: 'alwaysUvIgnored', what: 'alwaysUv on, yet credentials without verification', faults: { alwaysUvIgnored: true }, expect: ['CTAP_CONFIG'] },
  { fault: 'minPinLengthDecrease', what: 'the minimum PIN length lowered', faults: { minPinLengthDecrease: true }, expect: ['CTAP_CONFIG'] },
  { fault: 'forcePinChangeIgnored', what: 'tokens from the PIN while a change is forced', faults: { forcePinChangeIgnored: true }, expect: ['CTAP_CONFIG'] },
  { fault: 'bioSensorInfoIncomplete', what: 'sensor info without maxCaptureSamplesRequiredForEnroll', features: { bioEnrollment: { templates: 1 } }, faults: { bioSensorInfoIncomplete: true }, expect: ['CTAP_BIO_INFO'] },
  { fault: 'enrollWithoutToken', what: 'fingerprint enrollment without a token', features: { bioEnrollment: { templates: 1 } }, faults: { enrollWithoutToken: true }, expect: ['CTAP_BIO_ENROLLMENT'] },
  { fault: 'removedFingerStillMatches', what: 'a removed finger still enrolled', features: { bioEnrollment: { templates: 1 } }, faults: { removedFingerStillMatches: true }, expect: ['CTAP_BIO_ENROLLMENT'] },
  { fault: 'largeBlobHashNotChecked', what: 'a large-blob array with a wrong hash stored', features: { largeBlob: 'command' }, faults: { largeBlobHashNotChecked: true }, expect: ['CTAP_LARGE_BLOBS'] },
  { fault: 'largeBlobWriteWithoutToken', what: 'large-blob writes without a token on a protected key', features: { largeBlob: 'command' }, faults: { largeBlobWriteWithoutToken: true }, expect: ['CTAP_LARGE_BLOBS'] },
  { fault: 'largeBlobExtensionLosesBlob', what: 'the largeBlob extension keeping nothing', features: { largeBlob: 'extension' }, faults: { largeBlobExtensionLosesBlob: true }, expect: ['CTAP_LARGE_BLOB_EXTENSION'] },
  { fault: 'epForAnyRp', what: 'vendor-facilitated enterprise attestation for any RP ID', enterprise: { rpIds: ['enterprise.vendor.example'], enabled: true }, faults: { epForAnyRp: true }, expect: ['CTAP_ENTERPRISE_ATTESTATION'] },
  { fault: 'resetWithoutPresence', what: 'a reset without a touch', faults: { resetWithoutPresence: true }, run: { allowReset: true }, expect: ['CTAP_RESET'] },
  { fault: 'resetWindowIgnored', what: 'a reset long after power-up', faults: { resetWindowIgnored: true }, run: { allowReset: true }, expect: ['CTAP_RESET'] },
  { fault: 'resetKeepsCredentials', what: 'a reset that keeps the credentials', faults: { resetKeepsCredentials: true }, run: { allowReset: true }, expect: ['CTAP_RESET'] },
  { fault: 'resetTransportIgnored', what: 'a reset done over a transport transportsForReset does not list', features: { transportsForReset: ['nfc'] }, faults: { resetTransportIgnored: true }, run: { allowReset: true }, expect: ['CTAP_RESET'] },
  { fault: 'previewCommandsAlways', what: 'the FIDO_2_1_PRE commands answered by a key that does not list it', faults: { previewCommandsAlways: true }, expect: ['CTAP_ERROR_CODES'] },
  { fault: 'updateUserIgnored', what: 'updateUserInformation changing nothing', faults: { updateUserIgnored: true }, expect: ['CTAP_CREDENTIAL_MANAGEMENT'] },
  { fault: 'maxMsgSizeNotEnforced', what: 'a request over maxMsgSize processed', faults: { maxMsgSizeNotEnforced: true }, expect: ['CTAP_ERROR_CODES'] },
];

/**
 * Keys that must fail nothing, whichever way they verify the person: the proof that the checks
 * do not fire on a key that does everything right (the reset included).
 */
export const COMPLIANT_VARIANTS: readonly Scenario[] = [
  { fault: 'compliant (built-in UV; the run sets a PIN, as Windows asks)', run: { allowReset: true } },
  { fault: 'compliant (a PIN and no built-in UV)', features: { uv: false, clientPin: { pin: '1234' } }, run: { allowReset: true } },
  { fault: 'compliant (every CTAP 2.3 feature: fingerprints, config, large blobs, credBlob, thirdPartyPayment, minPinLength)', features: { bioEnrollment: { templates: 1 }, credBlob: true, largeBlob: 'command', minPinLength: 4, thirdPartyPayment: true, pinComplexityPolicy: 'on' }, run: { allowReset: true } },
  { fault: 'compliant (reset only over NFC, a long touch for it)', features: { transportsForReset: ['nfc'], longTouchForReset: true }, run: { allowReset: true } },
  { fault: 'compliant (an attestation certificate without the AAGUID extension: WebAuthn L3 §8.2.1 asks for it only when the root serves several models)', leaf: { noAaguidExtension: true } },
  { fault: 'compliant over NFC (a card taking extended APDUs; the tap is the touch), its USB side beside it', link: 'nfc', otherInterface: true, run: { allowReset: true } },
  { fault: 'compliant (enterprise attestation enabled for one RP ID)', enterprise: { rpIds: ['enterprise.vendor.example'], enabled: true } },
];

/** the matrix key's reset window (its profile says so; the reset probe waits it out): short, so every case can reset */
export const MATRIX_RESET_WINDOW_MS = 1000;

export const FAULT_AAGUID = 'fa017000-0000-4000-8000-000000000001';
export const FAULT_AT = new Date(Date.UTC(2030, 0, 1));

/** Run the plan with one fault (or none) and evaluate it. */
export async function runFaultCase(ca: AttestationCa, c: Scenario = {}, o: { link?: 'in-process' | 'udp' | 'nfc' } = {}): Promise<RunReport> {
  const leaf = await ca.issueLeaf({ aaguid: FAULT_AAGUID, ...c.leaf });
  const key = new SoftAuthenticator({
    aaguid: Buffer.from(FAULT_AAGUID.replace(/-/g, ''), 'hex'),
    attestation: c.attestation ?? 'packed-full',
    attestationKey: leaf.privateKey,
    x5c: [leaf.der],
    features: { hmacSecret: true, hmacSecretMc: true, credProtect: true, transports: ['usb', 'nfc'], resetWindowMs: MATRIX_RESET_WINDOW_MS, ...c.features },
    faults: c.faults,
    ...(c.enterprise ? { enterprise: { ...c.enterprise, key: leaf.privateKey, x5c: [leaf.der] } } : {}),
    hid: { presence: personTouchingAfter(REACTION_MS) },
  });
  const root = c.otherRoot ? (await AttestationCa.create('CN=Unlisted Root, O=Elsewhere, C=US')).rootPem : ca.rootPem;
  const entry = compliantEntry(FAULT_AAGUID, root, 'Fault Matrix Key');
  // the statement carries the key's real getInfo, as a vendor copies it (the getInfo faults are the key lying about itself)
  entry.metadataStatement!.authenticatorGetInfo = key.device.honestGetInfoJson();
  c.entry?.(entry);
  // over UDP the key is a simulator in all but process: served on a real socket, power-cycled by the reboot datagram
  const udp = o.link === 'udp' ? await serveUdpDevice(key.server, { host: '127.0.0.1', port: 0 }) : undefined;
  const transport = udp ? await openUdpTransport({ host: '127.0.0.1', port: udp.port, clientPort: 0 }) : undefined;
  // over NFC the key is a card in process (extended APDUs on, so a chaining fault shows alone)
  const nfc = (o.link ?? c.link) === 'nfc';
  if (nfc) key.nfc({ extendedApdus: true });
  const device = transport ? await connectDevice(transport, { power: udpPowerCycler(transport) }) : nfc ? await key.connectNfcDevice() : undefined;
  const usbSide = nfc && c.otherInterface ? await key.connectDevice() : undefined;
  let run: RunEvidence;
  try {
    run = await runWithSoftAuthenticator(key, {
      ...(usbSide ? { otherInterface: { device: usbSide, transport: 'in-process (USB side)' } } : {}), rpId: 'vendor.example', origin: 'https://vendor.example', label: c.fault ?? 'compliant', mds: { no: 1, nextUpdate: '2031-01-01', entry: c.noEntry ? undefined : entry }, now: () => FAULT_AT, destructive: c.run?.destructive ?? true, allowReset: c.run?.allowReset ?? false, setPin: c.run?.setPin, resetWindowMs: MATRIX_RESET_WINDOW_MS, quietMs: 50, device });
  } finally {
    await usbSide?.close();
    await device?.close();
    await udp?.close();
  }
  c.rewrite?.(run);
  return evaluateRun(run, { at: FAULT_AT });
}

export const failingIds = (r: RunReport): CheckId[] => r.outcomes.filter((o) => o.status === 'fail').map((o) => o.id).sort();

/**
 * Every fault switch of the software key, where it is declared, the rule it breaks and the
 * fault-matrix case that proves a check catches it (docs/software-key.md carries it).
 */
export function softFaultTableMarkdown(): string {
  const caughtBy = new Map<string, CheckId[]>();
  for (const c of FAULT_CASES) for (const f of Object.keys(c.faults ?? {})) caughtBy.set(f, [...(caughtBy.get(f) ?? []), ...c.expect]);
  const rows = FAULT_GROUPS.flatMap((g) => Object.entries(g.faults).map(([f, what]) => {
    const ids = [...new Set(caughtBy.get(f) ?? [])].sort();
    return `| ${g.group} | \`${f}\` | ${what} | ${ids.length ? ids.map((id) => `\`${id}\``).join(', ') : 'no check yet'} |`;
  }));
  return ['| where | fault | the rule it breaks | caught by |', '|---|---|---|---|', ...rows].join('\n');
}

/** The fault -> failing checks table (docs/software-key.md). */
export function faultMatrixMarkdown(): string {
  return ['| fault (`faults` / profile) | defect | failing check(s) |', '|---|---|---|', ...FAULT_CASES.map((c) => `| \`${c.fault}\` | ${c.what} | ${[...c.expect].sort().map((id) => `\`${id}\``).join(', ')} |`)].join('\n');
}
