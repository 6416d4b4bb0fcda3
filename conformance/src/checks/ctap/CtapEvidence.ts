/**
 * What a run over CTAP records besides the ceremonies: the key's own answers to the probes the
 * `ctap` checks judge. Raw where a check needs the bytes (getInfo, authenticator data,
 * signatures), statuses by name, nothing that identifies other sites on the key. JSON only
 * (bytes base64url), so a stored run is re-evaluated like any other.
 */

/** The probes, in the order they run. */
export const CTAP_PROBES = ['pinSetup', 'hid', 'nfc', 'otherInterface', 'userPresence', 'cancel', 'errors', 'requests', 'responses', 'tokens', 'persistentToken', 'credentialExtensions', 'largeBlobExtension', 'bioInfo', 'pinProtocols', 'wrongPin', 'extensions', 'hmacSecret', 'credProtect', 'excludeList', 'credentialManagement', 'u2f', 'powerCycle', 'pinBlocking', 'pinPolicy', 'config', 'bioEnrollment', 'largeBlobs', 'enterprise', 'reset'] as const;
export type CtapProbeName = (typeof CTAP_PROBES)[number];

/** Every probe record may say it did not run (and why) or broke off (and where). */
export interface ProbeOutcome {
  /** not run: the reason, in words ("the key lists no U2F_V2") */
  skipped?: string;
  /** true when `skipped` means the key does not have the feature (not "could not be shown") */
  notApplicable?: boolean;
  /** not run because it would change the key in a way the person did not allow: the flag that allows it ("--destructive") */
  notRun?: string;
  /** broke off: what the key answered (a CTAP status name, or a protocol error) */
  error?: string;
}

/** A CTAP status as a name ("CTAP2_ERR_PIN_INVALID"), "OK", or what went wrong instead. */
export type StatusName = string;

/** What came back on one channel: an ERROR packet (its code by name), a whole message, nothing, or something broken. */
export type HidAnswer =
  | { kind: 'error'; code: StatusName }
  | { kind: 'message'; cmd: number; length: number; data: string }
  | { kind: 'silent' }
  | { kind: 'garbled'; why: string };

export interface HidProbe extends ProbeOutcome {
  /** three INITs on the broadcast channel: what each handed out */
  init?: { nonceEchoed: boolean; cid: number; protocolVersion: number; capabilities: number; length: number }[];
  /** a continuation packet nobody announced (HID-1 P-2): silence expected */
  unsolicitedContinuation?: HidAnswer;
  /** INIT on channel 0 (HID-1 F-2) */
  cidZero?: HidAnswer;
  /** PING on the broadcast channel (HID-1 F-3) */
  broadcastPing?: HidAnswer;
  /** a CTAPHID command no version assigns (HID-1 F-1) */
  unknownCommand?: HidAnswer;
  /** a message whose continuation packets skip a sequence number (HID-1 F-4) */
  badSequence?: HidAnswer;
  /** an initialisation packet declaring more than 7609 bytes */
  oversized?: HidAnswer;
  /** while our message is half sent, another channel's message: CHANNEL_BUSY to it, then ours completes */
  busy?: { other: HidAnswer; oursEchoed: boolean };
  /** a message whose continuation never comes: the key's answer on that channel (ERR_MSG_TIMEOUT), and when another channel was served again */
  stalled?: { answer: HidAnswer; answeredAfterMs?: number; freedAfterMs?: number; otherLast: HidAnswer; limitMs: number };
  /** a PING of 1024 bytes whose first byte is 0 (HID-1 P-8) */
  leadingZeroPing?: boolean;
  /** CTAPHID_WINK (HID-1 P-12), when INIT advertises it */
  wink?: { advertised: boolean; answer?: HidAnswer };
  /** CTAPHID_LOCK (HID-1 P-13, P-14): implemented or not; while locked, another channel's INIT */
  lock?: { answer: HidAnswer; otherWhileLocked?: HidAnswer; unlock?: HidAnswer; otherAfterUnlock?: boolean };
  /** a PING on a channel the key never allocated: the ERROR code it sent, or what it did instead */
  wrongChannel?: { answer: 'error' | 'answered' | 'silent'; code?: StatusName };
  /** INIT on our channel in the middle of a message: the key must answer with our nonce and channel, then work */
  resync?: { answered: boolean; sameChannel: boolean; nonceEchoed: boolean; pingAfter: boolean };
  /** a PING of maximal length echoed byte for byte (continuation packets in sequence) */
  longPing?: { length: number; echoed: boolean };
}

export interface UserPresenceProbe extends ProbeOutcome {
  /** getAssertion with up=true: KEEPALIVE statuses seen while waiting, and the UP flag */
  touched?: { keepalives: number[]; up: boolean; status: StatusName };
  /** getAssertion with up=false (CTAP 2.1 §6.2.2, a silent check): the UP flag must be clear */
  silent?: { up: boolean; status: StatusName };
  /** asked over NFC, where the tap is the presence (CTAP 2.3 §11.3): no touch wait to signal */
  overNfc?: boolean;
}

/** One APDU exchange as the nfc probe saw it: the status word and the response data's length. */
export interface ApduAnswer {
  sw: number;
  length: number;
  /** the response data, base64url, when it is short and tells something (a version string) */
  data?: string;
}

/** The NFC transport (CTAP 2.3 §11.3, ISO 7816-4), asked of a key connected over NFC. */
export interface NfcProbe extends ProbeOutcome {
  /** SELECT of the FIDO AID: the answer and the version string */
  select?: ApduAnswer & { version: string };
  /** SELECT of an AID that is not FIDO's (A0000006472F0002) */
  selectOther?: ApduAnswer;
  /** the card capabilities its ATR declares (undefined: no ATR known, or no claim in it) */
  atrClaims?: { chaining: boolean; extended: boolean };
  /** getInfo with a short Le of 16: the parts as the card cut them (61xx then GET RESPONSE, each Le 16) */
  shortLe?: { parts: number[]; finalSw: number; sameAsGetInfo: boolean; le: number };
  /** getInfo with Le 00 (Ne 256) */
  neZero?: { parts: number[]; finalSw: number; sameAsGetInfo: boolean };
  /** a command longer than one short APDU, sent as a chain (CLA 0x90) in `parts`: the last status word (or the first refusal), and the CTAP status it got */
  chained?: { bytes: number; parts: number; finalSw: number; ctapStatus?: string };
  /** getInfo as one extended APDU */
  extended?: ApduAnswer;
  /** getInfo transports, as read over NFC */
  transports?: string[];
  /** getInfo versions, to compare with SELECT's version string */
  versions?: string[];
}

/**
 * The same key over its other interface (a key with USB and NFC: `--other-interface`): a
 * credential made over the interface under test, asked for over the other one.
 */
export interface OtherInterfaceProbe extends ProbeOutcome {
  /** how the other interface was reached ("udp:…", "usb:…", "pcsc:…") */
  transport?: string;
  /** the AAGUID the other interface's getInfo names (another AAGUID: another key) */
  aaguid?: string;
  /** getAssertion over the other interface for the credential made over this one: its status, and whether its signature verifies with the credential's key */
  assertion?: { status: StatusName; signatureVerifies?: boolean; sameCredential?: boolean };
}

/** how long the cancel probe waits for the key's answer after its CANCEL */
export const CANCEL_WAIT_MS = 3000;

export interface CancelProbe extends ProbeOutcome {
  /** the answer to a makeCredential cancelled while the key waited for a touch ("OK": it went on) */
  status?: StatusName;
  /** KEEPALIVE UP_NEEDED seen before the CANCEL was sent */
  sawUpNeeded?: boolean;
  /** how long after the CANCEL the answer came */
  msAfterCancel?: number;
  /** no answer at all within the wait after the CANCEL (the key went on waiting for a touch) */
  stillWaiting?: boolean;
  /** a touch raced the CANCEL (a success within RACE_MS of it) every time we tried */
  touchedFirst?: boolean;
  tries?: number;
}

export interface ErrorsProbe extends ProbeOutcome {
  /** makeCredential with only clientDataHash */
  missingParameter?: StatusName;
  /** a CTAP2 command byte no version defines */
  unknownCborCommand?: StatusName;
  /** credentialManagement's FIDO_2_1_PRE command (0x41) on a key that does not list FIDO_2_1_PRE */
  previewCommand?: StatusName;
  /** a CBOR message one byte over getInfo's maxMsgSize (1024 when absent) */
  overMaxMsgSize?: { size: number; status: StatusName };
}

/** What one request got: its status, whether the key asked for a touch first, and the credential's algorithm when one was made. */
export interface RequestRecord {
  status: StatusName;
  upNeeded?: boolean;
  alg?: number;
  /** base64url, when a credential was made */
  credentialId?: string;
}

export interface RequestsProbe extends ProbeOutcome {
  /** by case id (checks/ctap/requestCases.ts) */
  cases?: Record<string, RequestRecord>;
  /** the algorithm the valid requests listed (the key's first in getInfo; ES256 when it lists none) */
  alg?: number;
}

/** One answer as the key sent it (base64url, the bytes after the status) and what was asked. */
export interface RecordedAnswer {
  asked: string;
  status: StatusName;
  body?: string;
}

export interface ResponsesProbe extends ProbeOutcome {
  makeCredential?: (RecordedAnswer & { rk: boolean })[];
  getAssertion?: (RecordedAnswer & { allowList: boolean; uv: boolean })[];
}

export interface TokensProbe extends ProbeOutcome {
  /** how the tokens were had: the PIN or built-in UV */
  method?: string;
  /** makeCredential with a token holding only ga */
  gaTokenForMc?: StatusName;
  /** makeCredential for the probes' RP with a token bound to another RP ID */
  otherRpTokenForMc?: StatusName;
  /** the same mc token used twice: the first works, the second must not (the presence it vouched for is used) */
  firstUse?: StatusName;
  secondUse?: StatusName;
  /** a token asked for with the permission of a feature the key lacks */
  lackingFeature?: { permission: string; status: StatusName };
  /** a token asked for with permissions 0 */
  zeroPermissions?: StatusName;
}

export interface PersistentTokenProbe extends ProbeOutcome {
  /** encIdentifier, decrypted with the persistent token, the same on two reads of getInfo */
  identifierStable?: boolean;
  /** encCredStoreState, decrypted, different after a discoverable credential was made */
  stateChangedAfterCreate?: boolean;
  /** credential-management metadata with the read-only token */
  metadata?: StatusName;
  /** deleting a credential with the read-only token (must be refused) */
  deleteWithReadOnlyToken?: StatusName;
}

export interface CredentialExtensionsProbe extends ProbeOutcome {
  /** credBlob of maxCredBlobLength bytes, then one byte more */
  credBlob?: { max: number; status: StatusName; stored?: boolean; readBack?: string; tooLong?: { status: StatusName; stored?: boolean } };
  /** hmac-secret-mc output at makeCredential and hmac-secret's at getAssertion for the same salt (base64url), and the UV flags */
  hmacSecretMc?: { uv?: boolean; getUv?: boolean; atCreate?: string; atGet?: string; error?: string };
  /** thirdPartyPayment at getAssertion for the credential made for payment and one made without */
  thirdPartyPayment?: { status: StatusName; paid?: boolean; notPaid?: boolean };
  /** minPinLength asked for by the probes' RP (listed by nobody) */
  minPinLength?: { status: StatusName; output?: number };
}

export interface PowerCycleProbe extends ProbeOutcome {
  cycled?: boolean;
  /** the signature counter of one credential before and after */
  counterBefore?: number;
  counterAfter?: number;
  /** that credential used after the cycle */
  credentialAfter?: StatusName;
  /** a discoverable credential made before, used after */
  discoverableAfter?: StatusName;
  /** a token from before the cycle used after it (must be refused) */
  oldToken?: StatusName;
  /** PIN retries before a wrong PIN, after it, and after the cycle */
  retriesBefore?: number;
  retriesAfterWrong?: number;
  retriesAfterCycle?: number;
  /** the right PIN afterwards did not work */
  restoreError?: StatusName;
}

export interface PinBlockingProbe extends ProbeOutcome {
  retriesBefore?: number;
  /** the three wrong PINs: PIN_INVALID, PIN_INVALID, PIN_AUTH_BLOCKED expected */
  wrong?: StatusName[];
  retriesBlocked?: number;
  /** the right PIN, then a wrong one, while blocked: PIN_AUTH_BLOCKED both, no retry spent */
  rightWhileBlocked?: StatusName;
  wrongWhileBlocked?: StatusName;
  retriesAfterBlockedTries?: number;
  /** after a power cycle the right PIN works and restores the retries */
  rightAfterCycle?: StatusName;
  retriesRestored?: number;
}

export interface PinPolicyProbe extends ProbeOutcome {
  minPinLength?: number;
  /** per protocol: changePIN to a PIN one code point too short, to a 64-byte PIN, with a 48-byte padded block, to a trivial PIN (complexity policy on) */
  perProtocol?: { protocol: number; tooShort?: StatusName; tooLong?: StatusName; badPadding?: StatusName; trivial?: StatusName }[];
  /** a PIN that should have been refused was taken */
  accepted?: boolean;
  /** changePIN to a good temporary PIN, and the token with it */
  toTemporary?: StatusName;
  temporaryWorks?: boolean;
  /** changePIN back to the person's PIN */
  restored?: StatusName;
  /** the key refused the PIN the probe believed current: it stopped there (the status) */
  lostTrack?: StatusName;
}

export interface PinSetupProbe extends ProbeOutcome {
  /** a credential registered before the key had a PIN */
  credential?: StatusName;
  setPin?: StatusName;
  /** a token from the new PIN, at once */
  token?: StatusName;
  /** the sign-in with that credential and the token, and its UV flag */
  assertion?: StatusName;
  uv?: boolean;
  /** the new PIN worked only after a power cycle */
  workedAfterPowerCycle?: boolean;
}

export interface ConfigProbe extends ProbeOutcome {
  /** toggleAlwaysUv without a token on a protected key (CTAP2_ERR_PUAT_REQUIRED due) */
  withoutToken?: StatusName;
  /** toggleAlwaysUv with a token, and alwaysUv in getInfo after it */
  toggleOn?: StatusName;
  alwaysUvAfter?: boolean;
  /** with alwaysUv on, makeCredential without any verification ('OK with UV': the key verified the person itself) */
  credentialWithoutUv?: StatusName;
  /** setMinPINLength one below the current minimum */
  lowerMinPinLength?: { from: number; status: StatusName };
  /** setMinPINLength forceChangePin, forcePINChange in getInfo after it, a token from the PIN while forced */
  forceChangePin?: StatusName;
  forcePinChangeAfter?: boolean;
  tokenWhileForced?: StatusName;
  /** the PIN changed to a temporary one and back */
  pinChangedBack?: StatusName;
}

export interface BioInfoProbe extends ProbeOutcome {
  /** getModality (1: fingerprint), or its status */
  modality?: number | StatusName;
  sensor?: { fingerprintKind?: number; maxCaptureSamplesRequiredForEnroll?: number; maxTemplateFriendlyName?: number };
  sensorStatus?: StatusName;
}

export interface BioEnrollmentProbe extends ProbeOutcome {
  /** enrollBegin without a token (CTAP2_ERR_PUAT_REQUIRED due) */
  withoutToken?: StatusName;
  /** the enrollment: the last status and each sample's feedback */
  enroll?: { status: StatusName; samples: number[] };
  templateId?: string;
  listedAfterEnroll?: boolean;
  rename?: StatusName;
  nameAfterRename?: string;
  remove?: StatusName;
  listedAfterRemove?: boolean;
}

export interface LargeBlobsProbe extends ProbeOutcome {
  /** the array as the key holds it: its length and whether it ends with its own hash */
  initialLength?: number;
  initialHashOk?: boolean;
  /** the unchanged array written without a token (CTAP2_ERR_PUAT_REQUIRED due on a protected key) */
  withoutToken?: StatusName;
  /** an array whose trailing hash is wrong (CTAP2_ERR_INTEGRITY_FAILURE due) */
  badHash?: StatusName;
  /** the array with one entry more, in `fragments` pieces, and whether it read back the same */
  write?: StatusName;
  fragments?: number;
  readBackSame?: boolean;
  /** the original array written back */
  restore?: StatusName;
}

export interface LargeBlobExtensionProbe extends ProbeOutcome {
  create?: StatusName;
  supported?: boolean;
  write?: StatusName;
  written?: boolean;
  read?: StatusName;
  readBack?: string;
}

export interface EnterpriseProbe extends ProbeOutcome {
  enabledAtStart?: boolean;
  /** enterpriseAttestation 1 while it is disabled (CTAP1_ERR_INVALID_PARAMETER due) */
  whileDisabled?: StatusName;
  /** enableEnterpriseAttestation (only with --allow-reset) */
  enable?: StatusName;
  /** vendor-facilitated (1) for the probes' RP ID, which no vendor lists: no enterprise attestation */
  vendorFacilitated?: { status: StatusName; epAtt?: boolean };
  /** platform-managed (2): an enterprise attestation */
  platformManaged?: { status: StatusName; epAtt?: boolean };
  /** a value the spec does not define (3): refused */
  otherValue?: StatusName;
}

export interface ResetProbe extends ProbeOutcome {
  /** the window the probe waited out (ms) */
  windowMs?: number;
  /** the transport the run spoke (an AuthenticatorTransport name) and what getInfo declares about reset */
  transport?: 'usb' | 'nfc';
  transportsForReset?: string[];
  longTouchForReset?: boolean;
  hadPin?: boolean;
  /** reset after the window (CTAP2_ERR_NOT_ALLOWED due) */
  late?: StatusName;
  /** reset right after power-up, and whether the key asked for a touch first */
  inWindow?: StatusName;
  upNeeded?: boolean;
  /** getInfo clientPin after the reset (false: no PIN) */
  clientPinAfter?: boolean;
  /** a discoverable credential made before, asked for after (CTAP2_ERR_NO_CREDENTIALS due after a reset; OK when the reset was refused) */
  witnessAfter?: StatusName;
}

export interface PinProtocolsProbe extends ProbeOutcome {
  /** how tokens are obtained on this key */
  method?: 'uv' | 'pin' | 'pinToken';
  protocols?: { protocol: number; token: StatusName; used?: StatusName; uvFlag?: boolean }[];
}

export interface WrongPinProbe extends ProbeOutcome {
  retriesBefore?: number;
  wrong?: StatusName;
  retriesAfterWrong?: number;
  correct?: StatusName;
  retriesAfterCorrect?: number;
}

export interface ExtensionsProbe extends ProbeOutcome {
  /** the extensions asked for at makeCredential (the ones getInfo lists that the harness can exercise) */
  requested?: string[];
  status?: StatusName;
  /** authenticator data of that makeCredential, base64url */
  authData?: string;
  /** the makeCredential answer carried largeBlobKey (0x05) */
  largeBlobKey?: boolean;
  /** hmac-secret at getAssertion with that credential (its output length, 32 expected) */
  hmacAssertion?: { status: StatusName; outputLength?: number };
}

export interface HmacOutput {
  status: StatusName;
  /** decrypted outputs, base64url: first salt, and second when two were sent */
  first?: string;
  second?: string;
  /** length of the encrypted output as sent */
  length?: number;
}

export interface HmacSecretProbe extends ProbeOutcome {
  perProtocol?: {
    protocol: number;
    /** credential A, salt 1, no UV; again; salts 1 and 2; credential B, salt 1; credential A, salt 1, with UV */
    a1?: HmacOutput;
    a1Again?: HmacOutput;
    a12?: HmacOutput;
    b1?: HmacOutput;
    a1Uv?: HmacOutput;
  }[];
  /** why the with-UV half could not run (no PIN given, no built-in UV) */
  uvSkipped?: string;
  /** an input without saltAuth (CTAP2_ERR_MISSING_PARAMETER due) */
  missingSaltAuth?: StatusName;
}

export interface CredProtectProbe extends ProbeOutcome {
  /** a level-3 credential named in allowList, without UV: must not be usable */
  level3WithoutUv?: StatusName;
  /** the same with UV: must work */
  level3WithUv?: StatusName;
  /** discoverable getAssertion without UV: the credential IDs the key offered */
  discoverableWithoutUv?: { status: StatusName; offered: ('level2' | 'level3' | 'other')[] };
  /** a level-2 credential named in allowList, without UV: must work */
  level2WithAllowList?: StatusName;
  /** credProtect as stored (authData extension output at creation) */
  created?: { level: number; output?: number }[];
}

export interface ExcludeListProbe extends ProbeOutcome {
  /** makeCredential naming an existing credential of this RP in excludeList */
  status?: StatusName;
  /** the key asked for a touch (KEEPALIVE UP_NEEDED) before answering */
  upNeeded?: boolean;
  /** how the request was verified: a token from built-in UV carries the touch with it */
  verifiedBy?: string;
}

export interface CredentialManagementProbe extends ProbeOutcome {
  /** how many RPs and credentials the key reports (counts only: other sites stay private) */
  metadata?: { existing: number; remaining: number };
  /** sum of every RP's totalCredentials, enumerated */
  enumeratedTotal?: number;
  /** credential IDs the key lists for the run's RP ID, base64url */
  listedForRun?: string[];
  /** the run's two discoverable accounts (credential IDs the plan registered) */
  expectedForRun?: string[];
  /** renaming one of the harness's own credentials (updateUserInformation) and what the key lists after */
  update?: { status: StatusName; nameAfter?: string; displayNameAfter?: string };
  /** deleting one of the harness's own credentials */
  delete?: { status: StatusName; listedAfter: boolean; existingAfter?: number };
}

export interface U2fProbe extends ProbeOutcome {
  /** U2F_REGISTER: raw answer (base64url), with the parameters it signed */
  register?: { status: StatusName; response?: string; challengeParam: string; appParam: string };
  /** U2F_AUTHENTICATE with that key handle: raw answer */
  authenticate?: { status: StatusName; response?: string; challengeParam: string };
  /** the U2F credential used through CTAP2 getAssertion: authData and signature, base64url */
  viaCtap2?: { status: StatusName; authData?: string; signature?: string; clientDataHash: string };
  /** a CTAP2 credential (ES256, not discoverable) checked through U2F (P1 = check-only): 0x6985 expected */
  ctap2ViaU2f?: { sw: string; publicKey?: string };
}

export interface KeyChange {
  rpId: string;
  credentialId: string;
  /** where it came from: a plan step or a probe */
  by: string;
}

/** What the run did to the key, for the last lines of the report. */
export interface KeyChanges {
  /** discoverable credentials created on the key (non-discoverable ones leave nothing on it) */
  created: KeyChange[];
  /** removed through credential management at the end (or at the start: left by an earlier run) */
  deleted: KeyChange[];
  /** still on the key, with the reason they could not be removed */
  left: (KeyChange & { reason: string })[];
  /** created as discoverable by this run, yet not listed by credential management at the end (never kept, or hidden) */
  unlisted?: KeyChange[];
  /** a PIN set by --set-pin */
  pinSet?: boolean;
  /** PIN retries at the start and the end */
  pinRetries?: { before: number; after: number };
  /** credentials of earlier harness runs found and removed before this one started */
  leftovers?: number;
  /** changes beyond credentials (--destructive, --allow-reset), each with whether it was put back */
  actions?: { what: string; restored: boolean }[];
  /** power cycles the run did, and how ('simulator', 'person', 'hook', 'in-process') */
  powerCycles?: { count: number; how: string };
}

export interface CtapEvidence {
  /** where the key was reached: "usb:/dev/hidraw3", "udp:127.0.0.1:8111", "in-process" */
  transport: string;
  /** what CTAPHID INIT said (absent when the key was reached over NFC) */
  hid?: { protocolVersion: number; deviceVersion: [number, number, number]; capabilities: number };
  /** authenticatorGetInfo as the key answered it (the bytes after the status), base64url */
  getInfo: string;
  /** getInfo at the end of the run */
  getInfoAfter?: string;
  /** whether the person gave the key's PIN (never the PIN itself) */
  pinGiven: boolean;
  probes: {
    pinSetup?: PinSetupProbe;
    hid?: HidProbe;
    nfc?: NfcProbe;
    otherInterface?: OtherInterfaceProbe;
    userPresence?: UserPresenceProbe;
    cancel?: CancelProbe;
    errors?: ErrorsProbe;
    requests?: RequestsProbe;
    responses?: ResponsesProbe;
    tokens?: TokensProbe;
    persistentToken?: PersistentTokenProbe;
    credentialExtensions?: CredentialExtensionsProbe;
    powerCycle?: PowerCycleProbe;
    pinBlocking?: PinBlockingProbe;
    pinPolicy?: PinPolicyProbe;
    config?: ConfigProbe;
    bioInfo?: BioInfoProbe;
    bioEnrollment?: BioEnrollmentProbe;
    largeBlobs?: LargeBlobsProbe;
    largeBlobExtension?: LargeBlobExtensionProbe;
    enterprise?: EnterpriseProbe;
    reset?: ResetProbe;
    pinProtocols?: PinProtocolsProbe;
    wrongPin?: WrongPinProbe;
    extensions?: ExtensionsProbe;
    hmacSecret?: HmacSecretProbe;
    credProtect?: CredProtectProbe;
    excludeList?: ExcludeListProbe;
    credentialManagement?: CredentialManagementProbe;
    u2f?: U2fProbe;
  };
  /** authenticator data of the probes' own first makeCredential (its AAGUID is the key's real one), base64url */
  probeAuthData?: string;
  changes: KeyChanges;
  /** the run stopped here: the device stopped answering (what ran is kept) */
  brokenOff?: string;
}
