/**
 * What the emulated key can do: the CTAP 2.3 feature set a profile switches on and off. Every
 * member is declared once here, with the check of its JSON value (profiles are read from files:
 * a typo or a wrong type is refused with the member named, never silently ignored) and one line
 * of documentation; the resolved form fills in what CTAP says a key of that version has.
 */
export interface SoftFeatures {
  /** CTAP version the key implements: 2.0, 2.1-pre (FIDO_2_1_PRE commands), 2.1, 2.2, 2.3 (default), or a U2F-only key */
  ctap?: '2.0' | '2.1-pre' | '2.1' | '2.2' | '2.3' | 'u2f-only';
  rk?: boolean;
  /** built-in user verification (a sensor); with bioEnrollment, configured only once a finger is enrolled */
  uv?: boolean;
  /** client PIN (CTAP 2.1 §6.5): set with this PIN; `false`: not supported at all; absent: supported, no PIN set */
  clientPin?: { pin: string; retries?: number } | false;
  hmacSecret?: boolean;
  /** hmac-secret-mc (CTAP 2.3 §12.8): hmac-secret outputs already at makeCredential (WebAuthn prf at create) */
  hmacSecretMc?: boolean;
  credProtect?: boolean;
  credBlob?: boolean;
  /** large blobs: 'command' (authenticatorLargeBlobs + largeBlobKey, CTAP 2.1), 'extension' (the CTAP 2.3 largeBlob extension); true = 'command' */
  largeBlob?: boolean | 'command' | 'extension';
  /** minPinLength (CTAP 2.1 §12.4): the current minimum PIN length in code points; 0 = extension not supported */
  minPinLength?: number;
  /** RP IDs that may read the minimum PIN length (setMinPINLength minPinLengthRPIDs, pre-configured) */
  minPinLengthRpIds?: string[];
  /** the longest PIN the key takes, in code points (getInfo maxPINLength, CTAP 2.3; at most 63) */
  maxPinLength?: number;
  /** pinComplexityPolicy (CTAP 2.3): 'on' enforced, 'off' supported but not enforced, false not supported */
  pinComplexityPolicy?: false | 'off' | 'on';
  thirdPartyPayment?: boolean;
  /** authenticatorConfig (CTAP 2.1 §6.11; getInfo authnrCfg) */
  config?: boolean;
  /** alwaysUv (CTAP 2.1 §7.2): 'off' supported, 'on' enabled, false not supported */
  alwaysUv?: false | 'off' | 'on';
  /** authenticatorBioEnrollment (CTAP 2.1 §6.7) with emulated fingers: enrolled templates at start, capacity, samples per enrollment */
  bioEnrollment?: false | { templates?: number; maxTemplates?: number; samplesPerEnroll?: number };
  /** the read-only persistent pinUvAuthToken (pcmr, getInfo perCredMgmtRO) with encIdentifier and encCredStoreState (CTAP 2.3) */
  persistentToken?: boolean;
  /** CTAP 2.2 noMcGaPermissionsWithClientPin: the PIN grants no mc/ga permission (UV only) */
  noMcGaPermissionsWithClientPin?: boolean;
  /** reset needs a long touch (getInfo longTouchForReset) */
  longTouchForReset?: boolean;
  /** the transports reset is allowed on (getInfo transportsForReset; absent: any) */
  transportsForReset?: string[];
  /** reset is accepted only this long after power-up (CTAP 2.1 §6.6; 0: always) */
  resetWindowMs?: number;
  counter?: 'per-credential' | 'global';
  /** how many resident credentials fit (CTAP2_ERR_KEY_STORE_FULL beyond) */
  residentCapacity?: number;
  transports?: string[];
  /** CTAP1/U2F as well (U2F_V2 in versions, CTAPHID_MSG) */
  u2f?: boolean;
  pinProtocols?: (1 | 2)[];
  maxMsgSize?: number;
  maxCredentialCountInList?: number;
  firmwareVersion?: number;
  /** the curve of EdDSA (-8) credentials: Ed25519 (default) or Ed448 (RFC 9053 §7.2) */
  eddsaCurve?: 'Ed25519' | 'Ed448';
  /** getInfo certifications (CTAP 2.1 §6.4), e.g. {"FIDO": 2} */
  certifications?: Record<string, number>;
}

type Check = (v: unknown) => string | undefined;
const bool: Check = (v) => (typeof v === 'boolean' ? undefined : 'true or false');
const uint = (max = 2 ** 31): Check => (v) => (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max ? undefined : `an integer 0-${max}`);
const oneOf = (...xs: unknown[]): Check => (v) => (xs.includes(v) ? undefined : `one of ${xs.map((x) => JSON.stringify(x)).join(', ')}`);
const texts: Check = (v) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? undefined : 'an array of strings');

/** Every feature by name: its JSON check and what it means (the docs' feature table is this table). */
export const FEATURE_SPECS: { [K in keyof Required<SoftFeatures>]: { check: Check; doc: string } } = {
  ctap: { check: oneOf('2.0', '2.1-pre', '2.1', '2.2', '2.3', 'u2f-only'), doc: 'CTAP version: 2.0, 2.1-pre, 2.1, 2.2, 2.3 (default) or u2f-only' },
  rk: { check: bool, doc: 'discoverable credentials (resident keys)' },
  uv: { check: bool, doc: 'built-in user verification (with bioEnrollment: once a finger is enrolled)' },
  clientPin: { check: (v) => (v === false || v === null || (typeof v === 'object' && v !== null && typeof (v as { pin?: unknown }).pin === 'string' && ((v as { retries?: unknown }).retries === undefined || uint(8)((v as { retries?: unknown }).retries) === undefined)) ? undefined : 'false, null (supported, no PIN yet) or {"pin": "...", "retries": 1-8}'), doc: 'client PIN: {"pin": "1234"} set, null supported without a PIN, false not supported' },
  hmacSecret: { check: bool, doc: 'hmac-secret extension (WebAuthn prf at sign-in)' },
  hmacSecretMc: { check: bool, doc: 'hmac-secret-mc extension (prf outputs at registration, CTAP 2.3)' },
  credProtect: { check: bool, doc: 'credProtect extension' },
  credBlob: { check: bool, doc: 'credBlob extension (32 bytes per credential)' },
  largeBlob: { check: oneOf(true, false, 'command', 'extension'), doc: 'large blobs: "command" (authenticatorLargeBlobs + largeBlobKey) or "extension" (CTAP 2.3 largeBlob)' },
  minPinLength: { check: uint(63), doc: 'minPinLength extension and the current minimum PIN length (0: not supported)' },
  minPinLengthRpIds: { check: texts, doc: 'RP IDs allowed to read the minimum PIN length' },
  maxPinLength: { check: uint(63), doc: 'the longest PIN in code points (getInfo maxPINLength)' },
  pinComplexityPolicy: { check: oneOf(false, 'off', 'on'), doc: 'PIN complexity policy: "on" enforced, "off" supported' },
  thirdPartyPayment: { check: bool, doc: 'thirdPartyPayment extension' },
  config: { check: bool, doc: 'authenticatorConfig (authnrCfg)' },
  alwaysUv: { check: oneOf(false, 'off', 'on'), doc: 'alwaysUv: "off" supported, "on" enabled' },
  bioEnrollment: { check: (v) => (v === false || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.entries(v).every(([k, x]) => ['templates', 'maxTemplates', 'samplesPerEnroll'].includes(k) && uint(20)(x) === undefined)) ? undefined : 'false or {"templates": N, "maxTemplates": N, "samplesPerEnroll": N}'), doc: 'fingerprint enrollment with emulated fingers' },
  persistentToken: { check: bool, doc: 'read-only persistent pinUvAuthToken (pcmr), encIdentifier, encCredStoreState' },
  noMcGaPermissionsWithClientPin: { check: bool, doc: 'the PIN grants no mc/ga permission' },
  longTouchForReset: { check: bool, doc: 'reset needs a long touch' },
  transportsForReset: { check: texts, doc: 'transports reset is allowed on' },
  resetWindowMs: { check: uint(600_000), doc: 'reset only this long after power-up (default 10000; 0: always)' },
  counter: { check: oneOf('per-credential', 'global'), doc: 'signature counter per credential or global' },
  residentCapacity: { check: uint(10_000), doc: 'how many discoverable credentials fit' },
  transports: { check: texts, doc: 'getInfo transports, e.g. ["usb", "nfc"]' },
  u2f: { check: bool, doc: 'CTAP1/U2F as well' },
  pinProtocols: { check: (v) => (Array.isArray(v) && v.length > 0 && v.every((x) => x === 1 || x === 2) ? undefined : 'a non-empty array of 1 and 2'), doc: 'PIN/UV auth protocols, in the order getInfo lists them' },
  maxMsgSize: { check: uint(7609), doc: 'getInfo maxMsgSize' },
  maxCredentialCountInList: { check: uint(1000), doc: 'getInfo maxCredentialCountInList' },
  firmwareVersion: { check: uint(), doc: 'getInfo firmwareVersion' },
  eddsaCurve: { check: oneOf('Ed25519', 'Ed448'), doc: 'curve of EdDSA credentials' },
  certifications: { check: (v) => (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => uint()(x) === undefined) ? undefined : 'an object of certification name to level'), doc: 'getInfo certifications' },
};

export const SOFT_FEATURE_NAMES = Object.keys(FEATURE_SPECS) as (keyof SoftFeatures)[];

/** The profile's `features` members as a Markdown table (docs/software-key.md carries it). */
export function featureTableMarkdown(): string {
  return ['| `features` member | what it sets |', '|---|---|', ...SOFT_FEATURE_NAMES.map((k) => `| \`${k}\` | ${FEATURE_SPECS[k].doc} |`)].join('\n');
}

/** The features with every default CTAP gives a key of its version. */
export interface ResolvedFeatures {
  ctap: NonNullable<SoftFeatures['ctap']>;
  /** the numeric CTAP level: 20, 21, 22, 23 (2.1-pre counts as 20 for what it lacks) */
  level: number;
  preview: boolean;
  rk: boolean;
  uv: boolean;
  clientPin: SoftFeatures['clientPin'];
  pinSupported: boolean;
  hmacSecret: boolean;
  hmacSecretMc: boolean;
  credProtect: boolean;
  credBlob: boolean;
  largeBlob: false | 'command' | 'extension';
  minPinLength: number;
  minPinLengthRpIds: string[];
  maxPinLength: number;
  pinComplexityPolicy: false | 'off' | 'on';
  thirdPartyPayment: boolean;
  config: boolean;
  alwaysUv: false | 'off' | 'on';
  bio: false | { templates: number; maxTemplates: number; samplesPerEnroll: number };
  persistentToken: boolean;
  noMcGaPermissionsWithClientPin: boolean;
  longTouchForReset: boolean;
  transportsForReset?: string[];
  resetWindowMs: number;
  counter: 'per-credential' | 'global';
  residentCapacity: number;
  transports: string[];
  u2f: boolean;
  pinProtocols: (1 | 2)[];
  maxMsgSize: number;
  maxCredentialCountInList: number;
  firmwareVersion: number;
  eddsaCurve: 'Ed25519' | 'Ed448';
  certifications?: Record<string, number>;
  maxCredBlobLength: number;
  maxSerializedLargeBlobArray: number;
  maxRpIdsForSetMinPinLength: number;
}

const LEVEL = { '2.0': 20, '2.1-pre': 20, '2.1': 21, '2.2': 22, '2.3': 23, 'u2f-only': 0 } as const;

export function resolveFeatures(f: SoftFeatures = {}): ResolvedFeatures {
  const ctap = f.ctap ?? '2.3';
  const level = LEVEL[ctap];
  const at = (l: number) => level >= l;
  const largeBlob = f.largeBlob === true ? 'command' : (f.largeBlob ?? false);
  // a fingerprint sensor is built-in user verification: "uv": false turns it off too
  const bio = f.bioEnrollment && f.uv !== false && at(21) ? { templates: f.bioEnrollment.templates ?? 1, maxTemplates: f.bioEnrollment.maxTemplates ?? 5, samplesPerEnroll: f.bioEnrollment.samplesPerEnroll ?? 4 } : false;
  return {
    ctap,
    level,
    preview: ctap === '2.1-pre',
    rk: f.rk ?? true,
    uv: f.uv ?? true,
    clientPin: f.clientPin,
    pinSupported: f.clientPin !== false,
    hmacSecret: f.hmacSecret ?? true,
    hmacSecretMc: at(22) && (f.hmacSecretMc ?? false) && (f.hmacSecret ?? true),
    credProtect: f.credProtect ?? true,
    credBlob: at(21) && (f.credBlob ?? false),
    largeBlob: at(21) ? largeBlob : false,
    minPinLength: at(21) ? (f.minPinLength ?? 0) : 0,
    minPinLengthRpIds: f.minPinLengthRpIds ?? [],
    maxPinLength: Math.min(63, f.maxPinLength ?? 63),
    pinComplexityPolicy: at(23) ? (f.pinComplexityPolicy ?? false) : false,
    thirdPartyPayment: at(22) && (f.thirdPartyPayment ?? false),
    config: at(21) && (f.config ?? true),
    alwaysUv: at(21) && (f.config ?? true) ? (f.alwaysUv ?? 'off') : false,
    bio,
    persistentToken: at(22) && (f.persistentToken ?? true) && (f.rk ?? true),
    noMcGaPermissionsWithClientPin: at(21) && (f.noMcGaPermissionsWithClientPin ?? false),
    longTouchForReset: at(22) && (f.longTouchForReset ?? false),
    transportsForReset: at(22) ? f.transportsForReset : undefined,
    resetWindowMs: f.resetWindowMs ?? 10_000,
    counter: f.counter ?? 'per-credential',
    residentCapacity: f.residentCapacity ?? 25,
    transports: f.transports ?? ['usb'],
    u2f: ctap === 'u2f-only' || (f.u2f ?? true),
    pinProtocols: f.pinProtocols ?? (at(21) ? [2, 1] : [1]),
    maxMsgSize: f.maxMsgSize ?? 1200,
    maxCredentialCountInList: f.maxCredentialCountInList ?? 8,
    firmwareVersion: f.firmwareVersion ?? 0x050700,
    eddsaCurve: f.eddsaCurve ?? 'Ed25519',
    certifications: f.certifications,
    maxCredBlobLength: 32,
    maxSerializedLargeBlobArray: 1024,
    maxRpIdsForSetMinPinLength: 8,
  };
}
