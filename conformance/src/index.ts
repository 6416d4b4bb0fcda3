/**
 * fido2-harness, the library: the only door for the RP server, the browser runner, the CLI
 * entry point and consumers (`import { … } from 'fido2-harness'`). Layers, lowest first:
 * errors, runtime, encoding, terminal, cbor, asn1, findings, pki, webauthn, mds, attestation, ctap,
 * platform, then emulation (the software key) beside checks (judging only), run (the drivers that
 * bring a key and the catalogue together), report, cli (test/layers.test.ts holds the direction).
 */

// errors, codes and the ground floor
export { HarnessError, isHarnessError } from './errors/HarnessError.ts';
export { ERROR_CODES, type ErrorCode } from './errors/errorCodes.ts';
export { fromBase64url, toBase64url, toHex, describeType } from './encoding/base64url.ts';
export { AAGUID_TEXT, formatAaguid } from './encoding/formatAaguid.ts';
export { isJsonObject, parseJsonDocument } from './encoding/parseJsonDocument.ts';
export { packageRoot, packagePath, packageVersion } from './runtime/packagePath.ts';
export { palette, wantsColour, type Palette } from './terminal/palette.ts';
export { decodeCbor, decodeCborItem, type CborValue, type CborKey, type CborDecoded } from './cbor/decodeCbor.ts';
export { encodeCanonical, RawCbor, type CanonicalValue } from './cbor/encodeCanonical.ts';
export { encodeCbor, canonicalMap } from './cbor/encodeCbor.ts';
export { type Finding, firstFailure, verdict, skipped } from './findings/Finding.ts';
export { FINDING_CODES, findingCodesIn, type FindingCode, type FindingGroup } from './findings/findingCodes.ts';
export { seededRandom } from './testing/seededRandom.ts';

// certificates
export { parseCertificate, OID, type ParsedCertificate, type CertExtension } from './pki/parseCertificate.ts';
export { verifyChain, type ChainVerdict, type ChainOptions } from './pki/verifyChain.ts';
export { builtinAnchors, certificatesFromPem, mdsRootFile, type AnchorSet } from './pki/TrustAnchors.ts';
export { certificateKeyIdentifier } from './pki/certificateKeyIdentifier.ts';
export { peculiarX509 } from './pki/x509Provider.ts';

// WebAuthn structures and the relying party's steps
export { parseRegistrationResponse, parseAuthenticationResponse, type ParsedRegistration, type ParsedAssertion, type ParseOptions } from './webauthn/parseResponse.ts';
export { parseAuthenticatorData, type AuthenticatorData, type AuthDataFlags, type AttestedCredentialData } from './webauthn/parseAuthenticatorData.ts';
export { parseClientDataJSON, type ClientData } from './webauthn/parseClientDataJSON.ts';
export { COSE_ALG, COSE_ALG_NAMES, VERIFIABLE_ALGORITHMS, KNOWN_ALGORITHMS, isVerifiableAlgorithm, coseKeyToPublicKey, verifyCoseSignature, verifyCoseSignatureOffThread, type PublicKeyInfo } from './webauthn/coseKey.ts';
export { COSE_ALGORITHMS, COSE_CURVES, coseAlgorithm, coseAlgorithmLabel, type CoseAlgorithm, type CoseCurve } from './webauthn/coseAlgorithms.ts';
export { checkCeremony, type CeremonyExpectations } from './webauthn/checkCeremony.ts';
export { verifyAssertion, verifyAssertionOffThread, type StoredCredentialKey, type AssertionVerdict } from './webauthn/verifyAssertion.ts';
export { describeRegistration, describeAssertion, cborToJson } from './webauthn/describeResponse.ts';

// FIDO Metadata Service
export { loadMetadataBlob, entryRoots, type MetadataBlob, type MetadataEntry, type MetadataStatusReport } from './mds/MetadataBlob.ts';
export { blobMetadata, mergedMetadata, withDraftStatements, snapshotMetadata, describeOrigin, type MetadataProvider, type MetadataOrigin } from './mds/MetadataProvider.ts';
export { openMetadata, updateMetadata, defaultCacheDir, OFFICIAL_MDS_URL, type SourceOptions, type OpenedMetadata, type LoadedBlob, type BlobLoader } from './mds/MetadataSource.ts';
export { openMetadataInWorker, type OpenedInWorker } from './mds/openMetadataInWorker.ts';
export { loadPackedBlob, packedBlobMetadata, type PackedBlob } from './mds/packedBlob.ts';
export { crlChecker, crlCheckerFor, bundledCrlChecker, fetchingCrlChecker, directoryCrlChecker, bundledCrlSource, directoryCrlSource, networkCrlSource, checkBlobRevocation, SKIP_CRL, NotHeld, type CrlChecker, type CrlSource, type CrlResult } from './mds/crl.ts';
export { readDraftStatement } from './mds/draftStatements.ts';
export { entraEligibility, ENTRA_CRITERIA, type EntraCriterion, type EntraRow, type EntraVerdict } from './mds/entraEligibility.ts';
export { interpretStatus, COMPROMISE_STATUSES, type StatusVerdict } from './mds/interpretStatus.ts';
export { lintStatement, type LintFinding } from './mds/lintStatement.ts';
export { METADATA_STATEMENT_SCHEMA } from './mds/metadataStatementSchema.ts';
export { TestMdsSigner, compliantEntry, type TestBlobOptions } from './mds/TestMdsSigner.ts';

// attestation analysis
export { analyzeRegistration, declaredCapabilities, authDataDefectFinding, type AnalysisOptions, type RegistrationAnalysis, type DeclaredCapabilities } from './attestation/analyzeRegistration.ts';
export { analyzeAssertion, type AssertionAnalysis } from './attestation/analyzeAssertion.ts';
export { inspectInput, type InspectOptions, type InspectResult } from './attestation/inspectInput.ts';
export { FORMAT_VERIFIERS, REGISTERED_FORMATS } from './attestation/formats/registry.ts';
export type { FormatInput, FormatResult, FormatVerifier, AttestationType } from './attestation/FormatVerifier.ts';

// CTAP: transports, CTAPHID, CTAP2 and CTAP1 clients, PIN/UV auth protocols
export { CTAP_STATUS, statusName, U2F_SW, swName, type CtapStatusName } from './ctap/status.ts';
export { CTAPHID, CTAP2, PIN_SUB, CM_SUB, CONFIG_SUB, BIO_SUB, ENROLL_FEEDBACK, PERMISSION, permissionNames, KEEPALIVE, CAPABILITY, CRED_PROTECT, BROADCAST_CID, HID_REPORT_SIZE, MAX_HID_MESSAGE, type PermissionName } from './ctap/constants.ts';
export { CtapError, deviceError } from './ctap/CtapError.ts';
export { ReportQueue, type ReportTransport } from './ctap/transport/Transport.ts';
export { openUdpTransport, parseUdpSpec, UDP_DEVICE_PORT, UDP_CLIENT_PORT } from './ctap/transport/UdpTransport.ts';
export { serveUdpDevice } from './ctap/transport/UdpDeviceEndpoint.ts';
export { inProcessTransport, type ReportSink } from './ctap/transport/InProcessTransport.ts';
export { loadPcsc, listPcscReaders, probeReader, probeReaders, PcscApduTransport, type PcscApi } from './ctap/transport/PcscTransport.ts';
export { NfcConnection, inProcessCard, type ApduTransport } from './ctap/iso7816/NfcConnection.ts';
export { NfcCard, NFC_FAULTS } from './ctap/iso7816/NfcCard.ts';
export { serveVpcdCard } from './ctap/iso7816/vpcdCard.ts';
export { openNodeHidTransport, fidoDevices, loadNodeHid, FIDO_USAGE_PAGE, type NodeHidApi, type HidDeviceInfo, type HidDeviceHandle } from './ctap/transport/NodeHidTransport.ts';
export { framePackets, parsePacket, MessageAssembler, type Packet } from './ctap/hid/packets.ts';
export { CtapHidClient } from './ctap/hid/CtapHidClient.ts';
export type { CallOptions } from './ctap/connection/CallOptions.ts';
export type { CtapConnection } from './ctap/connection/CtapConnection.ts';
export type { PowerCycler, CycleOptions, AwaitBack } from './ctap/power/PowerCycler.ts';
export { POWER_CYCLE_HOW } from './ctap/power/PowerCycler.ts';
export { hookPowerCycler, parseHookUrl } from './ctap/power/hookPowerCycler.ts';
export { udpPowerCycler, udpDeviceBack } from './ctap/transport/udpPowerCycler.ts';
export { HidKeyWatch, replugPowerCycler, REPLUG_TIMEOUT_MS } from './ctap/transport/hidReplug.ts';
export { SIMULATOR_REBOOT_DATAGRAM, isSimulatorReboot } from './ctap/hid/simulatorReboot.ts';
export { CtapHidServer, HID_FAULTS, type HidServerOptions, type HidFaultName } from './ctap/hid/CtapHidServer.ts';
export { PresenceCancelled, type AuthenticatorCore, type RequestContext } from './ctap/connection/AuthenticatorCore.ts';
export { Ctap2Client, type MakeCredentialParams, type MakeCredentialResult, type GetAssertionParams, type GetAssertionResult } from './ctap/ctap2/Ctap2Client.ts';
export { decodeGetInfo, getInfoToJson, decryptInfoMember, GET_INFO_MEMBERS, type AuthenticatorInfo, type GetInfoMember } from './ctap/ctap2/getInfo.ts';
export { compareGetInfo, getInfoDisagreements, type GetInfoComparison } from './ctap/ctap2/compareGetInfo.ts';
export { PIN_PROTOCOL_1, PIN_PROTOCOL_2, pinProtocol, encapsulate, ecdh, keyAgreementKeyPair, coseToPublicKey, pinHashLeft16, paddedPin, type PinUvAuthProtocol } from './ctap/ctap2/pinProtocol.ts';
export { ClientPin, pinUvAuthParam, checkPin, obtainToken, type PinUvAuthToken } from './ctap/ctap2/clientPin.ts';
export { chooseVerification, preferredProtocol, type Verification } from './ctap/ctap2/chooseVerification.ts';
export { AuthenticatorConfig } from './ctap/ctap2/config.ts';
export { BioEnrollment, type SensorInfo, type EnrollSample } from './ctap/ctap2/bioEnrollment.ts';
export { hmacSecret, HMAC_SECRET, type HmacSecretSession } from './ctap/ctap2/extensions/hmacSecret.ts';
export { hmacSecretMc, HMAC_SECRET_MC } from './ctap/ctap2/extensions/hmacSecretMc.ts';
export { credProtect } from './ctap/ctap2/extensions/credProtect.ts';
export { credBlob } from './ctap/ctap2/extensions/credBlob.ts';
export { largeBlobKey } from './ctap/ctap2/extensions/largeBlobKey.ts';
export { largeBlob } from './ctap/ctap2/extensions/largeBlob.ts';
export { minPinLength } from './ctap/ctap2/extensions/minPinLength.ts';
export { pinComplexityPolicy } from './ctap/ctap2/extensions/pinComplexityPolicy.ts';
export { thirdPartyPayment } from './ctap/ctap2/extensions/thirdPartyPayment.ts';
export { CredentialManagement, type ManagedCredential, type ManagedRp } from './ctap/ctap2/credentialManagement.ts';
export { LargeBlobs, serializeLargeBlobArray, parseLargeBlobArray, sealLargeBlob, openLargeBlob } from './ctap/ctap2/largeBlobs.ts';
export { Ctap1Client, U2fError, encodeApdu, parseRegistration as parseU2fRegistration, U2F_INS, U2F_P1 } from './ctap/ctap1/Ctap1Client.ts';
export { connectDevice, connectNfc, openDevice, CtapDevice, type OpenDeviceOptions, type ConnectOptions } from './ctap/CtapDevice.ts';

// the WebAuthn client over CTAP (what a browser does)
export { WebAuthnClient, rpIdAllowedFor, type WebAuthnClientOptions, type CeremonyExtras, type ClientDataOverride } from './platform/WebAuthnClient.ts';
export { WebAuthnClientError, domNameForStatus, type DomErrorName } from './platform/WebAuthnClientError.ts';

// the software authenticator
export { SoftAuthenticator, domErrorName, type SoftAuthenticatorOptions, type SoftCredential, type SoftFaults, type SoftFeatures, type Tamper, type DeviceTamper } from './emulation/SoftAuthenticator.ts';
export { SoftDevice, SOFT_FAULTS, SOFT_FAULT_NAMES, FEATURE_SPECS, SOFT_FEATURE_NAMES, type SoftDeviceOptions, type SoftFaultName, type DeviceInternals, type SoftFingers } from './emulation/SoftDevice.ts';
export { readDeviceState, writeDeviceState, snapshotDevice, restoreDevice, type StoredDeviceState } from './emulation/softDeviceState.ts';
export { AttestationCa, type LeafOptions, type IssuedLeaf } from './emulation/AttestationCa.ts';
export { loadProfile, type EmulationProfile, type LoadedProfile } from './emulation/loadProfile.ts';

// the conformance catalogue
export { CHECKS } from './checks/registry.ts';
export { changesAllowed } from './checks/changesAllowed.ts';
export { CHECK_IDS, CHECK_AREAS, type CheckId, type CheckArea } from './checks/checkIds.ts';
export { defineCheck, pass, fail, skip, type CheckDefinition, type CheckResult, type Severity, type Evidence } from './checks/Check.ts';
export { CEREMONY_PLAN, STEP_NAMES, PRF_SALTS, ALGORITHMS, CRED_BLOB, userIdFor, optionsFor, type PlanStep, type StepName, type Account } from './checks/ceremonyPlan.ts';
export { runPlan, newRun, stepOptions, recordStep, registeredCredentials, type Perform, type CeremonyOutcome, type RunTarget } from './run/runPlan.ts';
export { runWithSoftAuthenticator, softKeyPerformer, EMULATED_PIN, type SoftRunOptions } from './run/runWithSoftAuthenticator.ts';
export { runOverCtap, CONFORMANCE_RP, CONFORMANCE_ORIGIN, type CtapRunOptions } from './run/runOverCtap.ts';
export type { CtapEvidence, KeyChanges, CtapProbeName } from './checks/ctap/CtapEvidence.ts';
export { evaluateRun, shardOf, REPORT_SCHEMA, type RunReport, type CheckOutcome, type Shard } from './checks/evaluateRun.ts';
export { buildContext, type EvaluationContext, type RegistrationView, type AssertionView } from './checks/EvaluationContext.ts';
export { attachMetadata } from './checks/attachMetadata.ts';
export type { RunEvidence, Ceremony } from './checks/RunEvidence.ts';
export { FAULT_CASES, FAULT_AAGUID, FAULT_AT, runFaultCase, failingIds, faultMatrixMarkdown, type FaultCase, type Scenario } from './run/faultMatrix.ts';

// reports
export { REPORT_FORMATS, REPORT_FORMAT_NAMES, renderReports, isReportFormat, type ReportFormat, type ReportFormatSpec } from './report/formats.ts';
export { readReports, readReportDocument, MAX_REPORT_BYTES } from './report/readReports.ts';
export { diffReports, type ReportDiff } from './report/diffReports.ts';
export { mergeReports } from './report/mergeReports.ts';
export { renderHtml, esc } from './report/renderHtml.ts';
export { renderJunit } from './report/renderJunit.ts';
export { renderMarkdown } from './report/renderMarkdown.ts';
export { renderText } from './report/renderText.ts';
export { RUN_REPORT_SCHEMA } from './report/runReportSchema.ts';

// the command line
export { main as runCli, USAGE, type CliIo, type CliOptions, type ExternalCommand } from './cli/main.ts';
export { readPasskeyProfiles, predictPasskeyProfiles, passkeyProfileLines, PASSKEY_PROFILE_SOURCE, type PasskeyProfile, type PasskeyProfilesPrediction, type PasskeyProfilePrediction, type PasskeyFacts } from './mds/passkeyProfiles.ts';
export { parseCommandArgs, parseTime, oneOf, closestFlag, readPemCertificates, readTextFile, parseAreas, parseShard, readTenantProfiles, type OptionSpecs, type ParsedOptions } from './cli/args.ts';
export { writeReports, writeAllReports, outputsFromArgs, formatForFile, parseReportFormat } from './cli/writeReports.ts';
