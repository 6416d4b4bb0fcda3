import crypto from 'node:crypto';
import type { CanonicalValue } from '../../cbor/encodeCanonical.ts';
import type { DeviceContext } from './DeviceContext.ts';
import { configCommands, VENDOR_PROTOTYPE_COMMANDS } from './config.ts';
import { DEVICE_EXTENSIONS } from './extensions/registry.ts';

export const GET_INFO_FAULTS = {
  getInfoDeclaresMissingExtension: 'getInfo lists an extension the key does not implement (credBlob)',
  getInfoAaguidMismatch: 'getInfo reports another AAGUID than authenticator data',
  encIdentifierWrongKey: 'encIdentifier encrypted with another key than the one the persistent token derives (CTAP 2.3 §6.4)',
  credStoreStateStale: 'encCredStoreState unchanged after the discoverable credentials changed',
} as const;

/** getInfo pinComplexityPolicyURL of the emulated key (an example domain: the policy is described in docs/software-key.md) */
export const PIN_COMPLEXITY_POLICY_URL = 'https://fido2-harness.example/pin-complexity-policy';

/** FIDO registry USER_VERIFY_FINGERPRINT_INTERNAL (uvModality) */
const UV_FINGERPRINT_INTERNAL = 0x02;

/**
 * authenticatorGetInfo (CTAP 2.3 §6.4): every member a key of the profile's version has, from its
 * features and current state (PIN set, fingers enrolled, alwaysUv, enterprise attestation, the
 * credential store). `honest`: without the getInfo faults, as a vendor copies it into a
 * metadata statement.
 */
export function getInfoMap(d: Pick<DeviceContext, 'f' | 'state' | 'faults' | 'identity' | 'uvConfigured'>, o: { honest?: boolean } = {}): Map<number, CanonicalValue> {
  const { f, state, identity } = d;
  const lie = !o.honest;
  const at = (l: number) => f.level >= l;
  const versions = [
    ...(f.u2f && !state.alwaysUv ? ['U2F_V2'] : []),
    ...(f.ctap === 'u2f-only' ? [] : ['FIDO_2_0']),
    ...(f.preview ? ['FIDO_2_1_PRE'] : []),
    ...(at(21) ? ['FIDO_2_1'] : []),
    ...(at(22) ? ['FIDO_2_2'] : []),
    ...(at(23) ? ['FIDO_2_3'] : []),
  ];
  const extensions = DEVICE_EXTENSIONS.filter((e) => e.supported(f)).map((e) => e.name);
  if (lie && d.faults.getInfoDeclaresMissingExtension && !extensions.includes('credBlob')) extensions.unshift('credBlob');
  const options: Record<string, boolean> = { rk: f.rk, up: true, plat: false };
  if (f.uv) options.uv = d.uvConfigured;
  if (f.pinSupported) options.clientPin = state.pinIsSet;
  if (at(21)) {
    if (f.pinSupported || f.uv) options.pinUvAuthToken = true;
    if (f.rk) options.credMgmt = true;
    if (f.largeBlob === 'command') options.largeBlobs = true;
    if (f.config) options.authnrCfg = true;
    if (f.alwaysUv !== false) options.alwaysUv = state.alwaysUv;
    if (f.config && f.pinSupported) options.setMinPINLength = true;
    options.makeCredUvNotRqd = !state.alwaysUv;
    if (f.bio) {
      options.bioEnroll = state.templates.length > 0;
      options.uvBioEnroll = true;
    }
    if (f.config && f.uv) options.uvAcfg = true;
    if (f.noMcGaPermissionsWithClientPin) options.noMcGaPermissionsWithClientPin = true;
  }
  if (f.preview) {
    if (f.rk) options.credentialMgmtPreview = true;
    if (f.bio) options.userVerificationMgmtPreview = true;
  }
  if (at(22) && f.persistentToken) options.perCredMgmtRO = true;
  if (identity.enterprise) options.ep = state.epEnabled;
  const aaguid = lie && d.faults.getInfoAaguidMismatch ? Uint8Array.from(identity.aaguid, (b, i) => (i === 0 ? b ^ 0xff : b)) : identity.aaguid;
  const m = new Map<number, CanonicalValue>([
    [0x01, versions],
    [0x02, extensions],
    [0x03, aaguid],
    [0x04, options],
    [0x05, f.maxMsgSize],
  ]);
  if (f.pinSupported || f.uv) m.set(0x06, f.pinProtocols);
  m.set(0x07, f.maxCredentialCountInList);
  m.set(0x08, 128);
  m.set(0x09, f.transports);
  m.set(0x0a, identity.algorithms.map((alg) => ({ type: 'public-key', alg })));
  if (f.largeBlob === 'command') m.set(0x0b, f.maxSerializedLargeBlobArray);
  if (at(21) && f.pinSupported) m.set(0x0c, state.forcePinChange);
  if (at(21) && f.pinSupported) m.set(0x0d, state.minPinLength);
  m.set(0x0e, f.firmwareVersion);
  if (f.credBlob) m.set(0x0f, f.maxCredBlobLength);
  if (at(21) && f.config && f.pinSupported) m.set(0x10, f.maxRpIdsForSetMinPinLength);
  if (at(21) && f.uv) {
    m.set(0x11, 3);
    m.set(0x12, UV_FINGERPRINT_INTERNAL);
  }
  if (f.certifications) m.set(0x13, f.certifications);
  if (at(21) && f.rk) m.set(0x14, Math.max(0, f.residentCapacity - state.discoverableCount()));
  if (at(21) && f.config) m.set(0x15, [...VENDOR_PROTOTYPE_COMMANDS]);
  if (at(22)) m.set(0x16, [identity.attestation.kind === 'none' ? 'none' : identity.attestation.kind === 'fido-u2f' ? 'fido-u2f' : 'packed']);
  if (at(22) && f.uv) m.set(0x17, state.uvCountSinceLastPinEntry);
  if (at(22)) m.set(0x18, state.longTouchForReset);
  if (at(22) && f.persistentToken) m.set(0x19, encryptedMember(lie && d.faults.encIdentifierWrongKey ? new Uint8Array(32) : state.persistentToken.value, 'encIdentifier', state.deviceIdentifier));
  if (f.transportsForReset) m.set(0x1a, f.transportsForReset);
  if (f.pinComplexityPolicy !== false) {
    m.set(0x1b, state.pinComplexity);
    m.set(0x1c, new TextEncoder().encode(PIN_COMPLEXITY_POLICY_URL));
  }
  if (at(23) && f.pinSupported) m.set(0x1d, f.maxPinLength);
  if (at(23) && f.persistentToken) m.set(0x1e, encryptedMember(state.persistentToken.value, 'encCredStoreState', lie && d.faults.credStoreStateStale ? new Uint8Array(16) : state.credStoreState));
  if (at(23) && f.config) m.set(0x1f, configCommands(d));
  return m;
}

/**
 * encIdentifier / encCredStoreState (CTAP 2.3 §6.4): a 16-byte value encrypted with AES-128-CBC
 * under HKDF-SHA-256(persistentPinUvAuthToken, salt = 32 zero bytes, info = the member's name, 16
 * bytes), a fresh IV in front: only a platform holding the persistent token can read it.
 */
export function encryptedMember(persistentToken: Uint8Array, info: 'encIdentifier' | 'encCredStoreState', plaintext: Uint8Array): Uint8Array {
  const key = new Uint8Array(crypto.hkdfSync('sha256', persistentToken, new Uint8Array(32), info, 16));
  const iv = crypto.randomBytes(16);
  const c = crypto.createCipheriv('aes-128-cbc', key, iv);
  c.setAutoPadding(false);
  return Uint8Array.from(Buffer.concat([iv, c.update(plaintext), c.final()]));
}
