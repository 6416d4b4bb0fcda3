import type { CheckDefinition } from './Check.ts';
import { ATT_PACKED_FORMAT } from './catalogue/ATT_PACKED_FORMAT.ts';
import { ATT_PACKED_CHAIN_TO_MDS_ROOT } from './catalogue/ATT_PACKED_CHAIN_TO_MDS_ROOT.ts';
import { ATT_AAGUID_MATCHES_CERT_AND_MDS } from './catalogue/ATT_AAGUID_MATCHES_CERT_AND_MDS.ts';
import { MDS_FIDO_CERTIFIED } from './catalogue/MDS_FIDO_CERTIFIED.ts';
import { MDS_NO_COMPROMISE } from './catalogue/MDS_NO_COMPROMISE.ts';
import { MDS_DECLARES_FIDO_2_0 } from './catalogue/MDS_DECLARES_FIDO_2_0.ts';
import { MDS_DECLARES_UV_OR_CLIENT_PIN } from './catalogue/MDS_DECLARES_UV_OR_CLIENT_PIN.ts';
import { MDS_DECLARES_RK } from './catalogue/MDS_DECLARES_RK.ts';
import { MDS_DECLARES_HMAC_SECRET_OR_PRF } from './catalogue/MDS_DECLARES_HMAC_SECRET_OR_PRF.ts';
import { ATT_FORMAT_ACCEPTED_UNENFORCED } from './catalogue/ATT_FORMAT_ACCEPTED_UNENFORCED.ts';
import { RK_DISCOVERABLE_SIGN_IN } from './catalogue/RK_DISCOVERABLE_SIGN_IN.ts';
import { UV_FLAG_WHEN_REQUIRED } from './catalogue/UV_FLAG_WHEN_REQUIRED.ts';
import { EXT_HMAC_SECRET_OR_PRF } from './catalogue/EXT_HMAC_SECRET_OR_PRF.ts';
import { RK_MULTIPLE_ACCOUNTS_PER_RP } from './catalogue/RK_MULTIPLE_ACCOUNTS_PER_RP.ts';
import { DECL_RK } from './catalogue/DECL_RK.ts';
import { DECL_UV_OR_CLIENT_PIN } from './catalogue/DECL_UV_OR_CLIENT_PIN.ts';
import { DECL_EXTENSIONS } from './catalogue/DECL_EXTENSIONS.ts';
import { DECL_ALGORITHM } from './catalogue/DECL_ALGORITHM.ts';
import { DECL_TRANSPORTS } from './catalogue/DECL_TRANSPORTS.ts';
import { DECL_MULTI_DEVICE } from './catalogue/DECL_MULTI_DEVICE.ts';
import { WEBAUTHN_RP_VERIFICATION } from './catalogue/WEBAUTHN_RP_VERIFICATION.ts';
import { HYG_CANONICAL_CBOR } from './catalogue/HYG_CANONICAL_CBOR.ts';
import { HYG_NO_TRAILING_BYTES } from './catalogue/HYG_NO_TRAILING_BYTES.ts';
import { HYG_UV_ONLY_WHEN_VERIFIED } from './catalogue/HYG_UV_ONLY_WHEN_VERIFIED.ts';
import { HYG_SIGN_COUNT } from './catalogue/HYG_SIGN_COUNT.ts';
import { HYG_UP_ALWAYS } from './catalogue/HYG_UP_ALWAYS.ts';
import { HYG_BE_BS } from './catalogue/HYG_BE_BS.ts';
import { HYG_CREDENTIAL_ID_LENGTH } from './catalogue/HYG_CREDENTIAL_ID_LENGTH.ts';
import { HYG_ATT_CERT_VALIDITY } from './catalogue/HYG_ATT_CERT_VALIDITY.ts';
import { HYG_CREDPROTECT } from './catalogue/HYG_CREDPROTECT.ts';
import { CTAP_GETINFO_WELL_FORMED } from './catalogue/CTAP_GETINFO_WELL_FORMED.ts';
import { CTAP_GETINFO_MATCHES_METADATA } from './catalogue/CTAP_GETINFO_MATCHES_METADATA.ts';
import { CTAP_EXTENSIONS_ANSWER } from './catalogue/CTAP_EXTENSIONS_ANSWER.ts';
import { CTAP_PIN_UV_AUTH_PROTOCOLS } from './catalogue/CTAP_PIN_UV_AUTH_PROTOCOLS.ts';
import { CTAP_PIN_RETRIES } from './catalogue/CTAP_PIN_RETRIES.ts';
import { CTAP_TOKEN_PERMISSIONS } from './catalogue/CTAP_TOKEN_PERMISSIONS.ts';
import { CTAP_POWER_CYCLE } from './catalogue/CTAP_POWER_CYCLE.ts';
import { CTAP_PIN_BLOCKING } from './catalogue/CTAP_PIN_BLOCKING.ts';
import { CTAP_PIN_POLICY } from './catalogue/CTAP_PIN_POLICY.ts';
import { CTAP_WIN_PIN_SETUP } from './catalogue/CTAP_WIN_PIN_SETUP.ts';
import { CTAP_CONFIG } from './catalogue/CTAP_CONFIG.ts';
import { CTAP_BIO_INFO } from './catalogue/CTAP_BIO_INFO.ts';
import { CTAP_BIO_ENROLLMENT } from './catalogue/CTAP_BIO_ENROLLMENT.ts';
import { CTAP_LARGE_BLOBS } from './catalogue/CTAP_LARGE_BLOBS.ts';
import { CTAP_LARGE_BLOB_EXTENSION } from './catalogue/CTAP_LARGE_BLOB_EXTENSION.ts';
import { CTAP_ENTERPRISE_ATTESTATION } from './catalogue/CTAP_ENTERPRISE_ATTESTATION.ts';
import { CTAP_RESET } from './catalogue/CTAP_RESET.ts';
import { CTAP_WIN_PIN_PROTOCOL_2 } from './catalogue/CTAP_WIN_PIN_PROTOCOL_2.ts';
import { CTAP_WIN_PRF_AT_CREATE } from './catalogue/CTAP_WIN_PRF_AT_CREATE.ts';
import { CTAP_HMAC_SECRET } from './catalogue/CTAP_HMAC_SECRET.ts';
import { CTAP_HMAC_SECRET_MC } from './catalogue/CTAP_HMAC_SECRET_MC.ts';
import { CTAP_CRED_BLOB } from './catalogue/CTAP_CRED_BLOB.ts';
import { CTAP_THIRD_PARTY_PAYMENT } from './catalogue/CTAP_THIRD_PARTY_PAYMENT.ts';
import { CTAP_MIN_PIN_LENGTH } from './catalogue/CTAP_MIN_PIN_LENGTH.ts';
import { CTAP_CREDENTIAL_MANAGEMENT } from './catalogue/CTAP_CREDENTIAL_MANAGEMENT.ts';
import { CTAP_PERSISTENT_TOKEN } from './catalogue/CTAP_PERSISTENT_TOKEN.ts';
import { CTAP_CRED_PROTECT_ENFORCED } from './catalogue/CTAP_CRED_PROTECT_ENFORCED.ts';
import { CTAP_EXCLUDE_LIST } from './catalogue/CTAP_EXCLUDE_LIST.ts';
import { CTAP_U2F_INTEROP } from './catalogue/CTAP_U2F_INTEROP.ts';
import { CTAP_ERROR_CODES } from './catalogue/CTAP_ERROR_CODES.ts';
import { CTAP_MC_REQUEST } from './catalogue/CTAP_MC_REQUEST.ts';
import { CTAP_PIN_UV_AUTH_PARAM_EMPTY } from './catalogue/CTAP_PIN_UV_AUTH_PARAM_EMPTY.ts';
import { CTAP_UV_REQUIRED } from './catalogue/CTAP_UV_REQUIRED.ts';
import { CTAP_GA_REQUEST } from './catalogue/CTAP_GA_REQUEST.ts';
import { CTAP_MC_RESPONSE } from './catalogue/CTAP_MC_RESPONSE.ts';
import { CTAP_GA_RESPONSE } from './catalogue/CTAP_GA_RESPONSE.ts';
import { CTAP_HID_CHANNELS } from './catalogue/CTAP_HID_CHANNELS.ts';
import { CTAP_HID_INIT } from './catalogue/CTAP_HID_INIT.ts';
import { CTAP_HID_ERRORS } from './catalogue/CTAP_HID_ERRORS.ts';
import { CTAP_HID_UNALLOCATED_CHANNEL } from './catalogue/CTAP_HID_UNALLOCATED_CHANNEL.ts';
import { CTAP_HID_WINK_LOCK } from './catalogue/CTAP_HID_WINK_LOCK.ts';
import { CTAP_HID_CANCEL } from './catalogue/CTAP_HID_CANCEL.ts';
import { CTAP_USER_PRESENCE } from './catalogue/CTAP_USER_PRESENCE.ts';
import { NFC_SELECT } from './catalogue/NFC_SELECT.ts';
import { NFC_GET_RESPONSE } from './catalogue/NFC_GET_RESPONSE.ts';
import { NFC_CHAINING } from './catalogue/NFC_CHAINING.ts';
import { NFC_EXTENDED_APDU } from './catalogue/NFC_EXTENDED_APDU.ts';
import { NFC_TRANSPORTS } from './catalogue/NFC_TRANSPORTS.ts';
import { NFC_USB_SAME_CREDENTIAL } from './catalogue/NFC_USB_SAME_CREDENTIAL.ts';

/** The catalogue, in report order: Entra (enforced, then not enforced), Windows, declared vs observed, hygiene. */
export const CHECKS: readonly CheckDefinition[] = [
  ATT_PACKED_FORMAT,
  ATT_PACKED_CHAIN_TO_MDS_ROOT,
  ATT_AAGUID_MATCHES_CERT_AND_MDS,
  MDS_FIDO_CERTIFIED,
  MDS_NO_COMPROMISE,
  MDS_DECLARES_FIDO_2_0,
  MDS_DECLARES_UV_OR_CLIENT_PIN,
  MDS_DECLARES_RK,
  MDS_DECLARES_HMAC_SECRET_OR_PRF,
  ATT_FORMAT_ACCEPTED_UNENFORCED,
  RK_DISCOVERABLE_SIGN_IN,
  UV_FLAG_WHEN_REQUIRED,
  EXT_HMAC_SECRET_OR_PRF,
  RK_MULTIPLE_ACCOUNTS_PER_RP,
  DECL_RK,
  DECL_UV_OR_CLIENT_PIN,
  DECL_EXTENSIONS,
  DECL_ALGORITHM,
  DECL_TRANSPORTS,
  DECL_MULTI_DEVICE,
  WEBAUTHN_RP_VERIFICATION,
  HYG_SIGN_COUNT,
  HYG_UP_ALWAYS,
  HYG_UV_ONLY_WHEN_VERIFIED,
  HYG_BE_BS,
  HYG_CREDENTIAL_ID_LENGTH,
  HYG_ATT_CERT_VALIDITY,
  HYG_CREDPROTECT,
  HYG_CANONICAL_CBOR,
  HYG_NO_TRAILING_BYTES,
  CTAP_GETINFO_WELL_FORMED,
  CTAP_GETINFO_MATCHES_METADATA,
  CTAP_EXTENSIONS_ANSWER,
  CTAP_PIN_UV_AUTH_PROTOCOLS,
  CTAP_PIN_RETRIES,
  CTAP_TOKEN_PERMISSIONS,
  CTAP_POWER_CYCLE,
  CTAP_PIN_BLOCKING,
  CTAP_PIN_POLICY,
  CTAP_CONFIG,
  CTAP_BIO_INFO,
  CTAP_BIO_ENROLLMENT,
  CTAP_LARGE_BLOBS,
  CTAP_LARGE_BLOB_EXTENSION,
  CTAP_ENTERPRISE_ATTESTATION,
  CTAP_RESET,
  CTAP_WIN_PIN_SETUP,
  CTAP_WIN_PIN_PROTOCOL_2,
  CTAP_WIN_PRF_AT_CREATE,
  CTAP_HMAC_SECRET,
  CTAP_HMAC_SECRET_MC,
  CTAP_CRED_BLOB,
  CTAP_THIRD_PARTY_PAYMENT,
  CTAP_MIN_PIN_LENGTH,
  CTAP_CREDENTIAL_MANAGEMENT,
  CTAP_PERSISTENT_TOKEN,
  CTAP_CRED_PROTECT_ENFORCED,
  CTAP_EXCLUDE_LIST,
  CTAP_U2F_INTEROP,
  CTAP_MC_REQUEST,
  CTAP_GA_REQUEST,
  CTAP_MC_RESPONSE,
  CTAP_GA_RESPONSE,
  CTAP_PIN_UV_AUTH_PARAM_EMPTY,
  CTAP_UV_REQUIRED,
  CTAP_ERROR_CODES,
  CTAP_HID_INIT,
  CTAP_HID_CHANNELS,
  CTAP_HID_ERRORS,
  CTAP_HID_UNALLOCATED_CHANNEL,
  CTAP_HID_WINK_LOCK,
  CTAP_HID_CANCEL,
  CTAP_USER_PRESENCE,
  NFC_SELECT,
  NFC_GET_RESPONSE,
  NFC_CHAINING,
  NFC_EXTENDED_APDU,
  NFC_TRANSPORTS,
  NFC_USB_SAME_CREDENTIAL,
];

/** The checks a run without the key's own CTAP answers can judge (a browser run: physical or virtual key). */
export const BROWSER_CHECKS: readonly CheckDefinition[] = CHECKS.filter((c) => c.area !== 'ctap');
