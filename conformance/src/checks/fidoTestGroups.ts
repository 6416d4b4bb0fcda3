/**
 * The FIDO Alliance conformance tools' CTAP 2.3 authenticator module: its test groups and, in
 * each, the test scripts (named as the tools name them). Every check says which scripts it
 * covers (`covers`); the coverage table (docs/checks.md, `fido2-harness catalogue --coverage`)
 * is built from these lists and the fault matrix, and says what is not covered and why.
 */
export const FIDO_TEST_GROUPS = [
  { group: 'Transports', scripts: ['HID-1', 'NFC-1', 'BLE-1'] },
  { group: 'General', scripts: ['Authr-Generic-1'] },
  { group: 'MakeCredentialRequest', scripts: ['Authr-MakeCred-Req-1', 'Authr-MakeCred-Req-2', 'Authr-MakeCred-Req-3', 'Authr-MakeCred-Req-4', 'Authr-MakeCred-Req-5', 'Authr-MakeCred-Req-6'] },
  { group: 'MakeCredentialResponse', scripts: ['Authr-MakeCred-Resp-1'] },
  { group: 'GetAssertionReq', scripts: ['Authr-GetAssertion-Req-1', 'Authr-GetAssertion-Req-2', 'Authr-GetAssertion-Req-3'] },
  { group: 'GetAssertionResp', scripts: ['Authr-GetAssertion-Resp-1'] },
  { group: 'Reset', scripts: ['Authr-Reset-1'] },
  { group: 'OptionsRK', scripts: ['ResidentKey'] },
  { group: 'OptionsEP', scripts: ['EnterpriseAttestation'] },
  { group: 'Extensions', scripts: ['hmacSecret', 'hmacSecret2', 'hmacSecretMC', 'credProtect', 'credBlob', 'largeBlob', 'largeBlobKey', 'minPINLength', 'pinComplexityPolicy', 'thirdPartyPayment', 'uvm'] },
  { group: 'ClientPin1', scripts: ['ClientPin1-KeyAgreement', 'ClientPin1-NewPin', 'ClientPin1-PinPolicy', 'ClientPin1-GetRetries'] },
  { group: 'ClientPin2', scripts: ['ClientPin2-KeyAgreement', 'ClientPin2-NewPin', 'ClientPin2-GetPinToken', 'ClientPin2-GetPinUvAuthTokenUsingPinWithPermissions', 'ClientPin2-GetPinUvAuthTokenUsingUvWithPermissions', 'ClientPin2-PinPolicy', 'ClientPin2-GetRetries'] },
  { group: 'CredManAPI', scripts: ['CredentialManagement-EnumerateRPs', 'CredentialManagement-EnumerateCredentials', 'CredentialManagement-UpdateAndDelete'] },
  { group: 'AuthenticatorConfig', scripts: ['AuthenticatorConfig'] },
  { group: 'BioEnrollment', scripts: ['BioEnroll-BioModAndSensorInfo', 'BioEnroll-Enroll', 'BioEnroll-EnumerateRenameRemove'] },
  { group: 'LargeBlobs', scripts: ['LargeBlobs-1'] },
  { group: 'Metadata', scripts: ['Metadata-Stmt-1'] },
] as const;

export type FidoTestScript = (typeof FIDO_TEST_GROUPS)[number]['scripts'][number];

/** Scripts no check covers, and why (the coverage table prints the reason). */
export const NOT_COVERED: Partial<Record<FidoTestScript, string>> = {
  'BLE-1': 'no BLE transport in the harness yet (USB HID, UDP simulators and NFC only); a BLE key is tested over its USB or NFC side',
  uvm: 'the uvm extension (CTAP 2.1 §12.6, optional) is neither probed nor implemented by the software key; no platform Microsoft names uses it',
};
