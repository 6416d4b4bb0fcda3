import crypto from 'node:crypto';
import type { CanonicalValue } from '../../cbor/encodeCanonical.ts';
import { PERMISSION, PIN_SUB } from '../../ctap/constants.ts';
import { CTAP_STATUS as S } from '../../ctap/status.ts';
import { coseToPublicKey, ecdh, type PinUvAuthProtocol } from '../../ctap/ctap2/pinProtocol.ts';
import type { DeviceContext } from './DeviceContext.ts';
import { MAX_PIN_RETRIES } from './DeviceState.ts';
import { refuse, type Params } from './params.ts';
import { pinMeetsComplexity } from './extensions/pinComplexityPolicy.ts';

/** Defects of authenticatorClientPIN, each next to the rule it breaks. */
export const CLIENT_PIN_FAULTS = {
  pinProtocol2Broken: 'PIN/UV auth protocol 2 advertised, but its tokens are wrong',
  pinRetriesNotDecremented: 'a wrong PIN refused without costing a retry (a PIN guesser\'s friend)',
  pinAuthBlockedNotEnforced: 'after three wrong PINs the key goes on trying PINs (and takes the right one) without a power cycle (§6.5.5.7 step 9.1.2)',
  pinRetriesNotPersistent: 'a power cycle gives back the PIN retries (they must persist, §6.5.5.2)',
  tokenSurvivesPowerCycle: 'the pinUvAuthToken still works after a power cycle (§6.5.2.1: a new one at power-up)',
  pinPolicyNotEnforced: 'a PIN shorter than minPINLength or longer than 63 bytes accepted (§6.5.5.5 step 9)',
  paddedPinLengthNotChecked: 'a newPinEnc whose plaintext is not 64 bytes accepted (§6.5.5.5 step 7)',
  forcePinChangeIgnored: 'a token issued while forcePINChange is true (§6.5.5.7.2 step 11)',
  unauthorizedPermissionGranted: 'a token granted a permission for a feature the key lacks (§6.5.5.7.2 step 4: CTAP2_ERR_UNAUTHORIZED_PERMISSION)',
  pinComplexityNotEnforced: 'with pinComplexityPolicy on, a trivial PIN accepted (CTAP 2.3: CTAP2_ERR_PIN_POLICY_VIOLATION)',
  pinSetNeedsPowerCycle: 'after setPIN the key answers CTAP2_ERR_PIN_NOT_SET until it is power-cycled (what Windows meets when it sets a PIN during sign-in, KB5073129)',
} as const;

/**
 * authenticatorClientPIN (CTAP 2.3 §6.5.5): PIN retries, key agreement, setPIN, changePIN, the
 * three ways to a pinUvAuthToken, UV retries. Statuses in the order the steps give them; a wrong
 * PIN costs a retry and the key agreement key; three in a row block PIN entry until a power cycle.
 */
export async function clientPin(d: DeviceContext, p: Params): Promise<Map<number, CanonicalValue> | undefined> {
  const r = d.read;
  const state = d.state;
  const faults = d.faults;
  const version = r.optional(p, 0x01, 'uint');
  const sub = r.required(p, 0x02, 'uint');
  const keyAgreement = r.optional(p, 0x03, 'map');
  const pinUvAuthParam = r.optional(p, 0x04, 'bytes');
  const newPinEnc = r.optional(p, 0x05, 'bytes');
  const pinHashEnc = r.optional(p, 0x06, 'bytes');
  const permissions = r.optional(p, 0x09, 'uint');
  const rpId = r.optional(p, 0x0a, 'text');
  const needProtocol = (): PinUvAuthProtocol => (version === undefined ? r.missing() : d.protocol(version));
  const shared = (protocol: PinUvAuthProtocol): Uint8Array => {
    try {
      return protocol.kdf(ecdh(state.keyAgreement.get(protocol.version)!.privateKey, coseToPublicKey(keyAgreement!, 'keyAgreement')));
    } catch {
      return refuse(S.CTAP1_ERR_INVALID_PARAMETER);
    }
  };
  switch (sub) {
    case PIN_SUB.getPINRetries: {
      if (!d.f.pinSupported) refuse(S.CTAP2_ERR_INVALID_SUBCOMMAND);
      const m = new Map<number, CanonicalValue>([[0x03, state.pinRetries]]);
      if (d.f.level >= 21) m.set(0x04, blocked(d));
      return m;
    }
    case PIN_SUB.getKeyAgreement: {
      const protocol = needProtocol();
      return new Map<number, CanonicalValue>([[0x01, state.keyAgreement.get(protocol.version)!.cose as Map<number, CanonicalValue>]]);
    }
    case PIN_SUB.getUVRetries:
      if (!d.f.uv) refuse(S.CTAP2_ERR_INVALID_SUBCOMMAND);
      return new Map([[0x05, state.uvRetries]]);
    case PIN_SUB.setPIN: {
      if (!d.f.pinSupported) refuse(S.CTAP2_ERR_INVALID_SUBCOMMAND);
      if (keyAgreement === undefined || pinUvAuthParam === undefined || newPinEnc === undefined) r.missing();
      const protocol = needProtocol();
      if (state.pinIsSet) refuse(S.CTAP2_ERR_PIN_AUTH_INVALID);
      const key = shared(protocol);
      if (!protocol.verify(key, newPinEnc!, pinUvAuthParam!)) refuse(S.CTAP2_ERR_PIN_AUTH_INVALID);
      const pin = newPin(d, protocol, key, newPinEnc!);
      storePin(d, pin);
      state.pinSetThisPowerUp = true;
      return undefined;
    }
    case PIN_SUB.changePIN: {
      if (!d.f.pinSupported) refuse(S.CTAP2_ERR_INVALID_SUBCOMMAND);
      if (keyAgreement === undefined || pinUvAuthParam === undefined || newPinEnc === undefined || pinHashEnc === undefined) r.missing();
      const protocol = needProtocol();
      if (!state.pinIsSet) refuse(S.CTAP2_ERR_PIN_NOT_SET);
      if (state.pinRetries <= 0) refuse(S.CTAP2_ERR_PIN_BLOCKED);
      if (blocked(d)) refuse(S.CTAP2_ERR_PIN_AUTH_BLOCKED);
      const key = shared(protocol);
      if (!protocol.verify(key, Uint8Array.from([...newPinEnc!, ...pinHashEnc!]), pinUvAuthParam!)) refuse(S.CTAP2_ERR_PIN_AUTH_INVALID);
      checkPinHash(d, protocol, key, pinHashEnc!);
      const pin = newPin(d, protocol, key, newPinEnc!);
      // step 13: a forced change must change the PIN
      if (state.forcePinChange && eqBytes(pinHash(pin), state.pinHash!)) refuse(S.CTAP2_ERR_PIN_POLICY_VIOLATION);
      storePin(d, pin);
      return undefined;
    }
    case PIN_SUB.getPinToken: {
      if (!d.f.pinSupported) refuse(S.CTAP2_ERR_INVALID_SUBCOMMAND);
      if (keyAgreement === undefined || pinHashEnc === undefined) r.missing();
      const protocol = needProtocol();
      if (permissions !== undefined || rpId !== undefined) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
      if (!state.pinIsSet) refuse(S.CTAP2_ERR_PIN_NOT_SET);
      if (state.pinRetries <= 0) refuse(S.CTAP2_ERR_PIN_BLOCKED);
      if (blocked(d)) refuse(S.CTAP2_ERR_PIN_AUTH_BLOCKED);
      const key = shared(protocol);
      checkPinHash(d, protocol, key, pinHashEnc!);
      if (state.forcePinChange && !faults.forcePinChangeIgnored) refuse(S.CTAP2_ERR_PIN_INVALID);
      const defaults = d.f.noMcGaPermissionsWithClientPin ? 0 : PERMISSION.mc | PERMISSION.ga;
      return new Map([[0x02, issue(d, protocol, key, defaults, undefined, false)]]);
    }
    case PIN_SUB.getPinUvAuthTokenUsingPinWithPermissions: {
      if (!d.f.pinSupported || d.f.level < 21) refuse(S.CTAP2_ERR_INVALID_SUBCOMMAND);
      if (keyAgreement === undefined || pinHashEnc === undefined || permissions === undefined) r.missing();
      const protocol = needProtocol();
      if (permissions === 0) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
      authorize(d, permissions!, 'pin');
      if (!state.pinIsSet || (faults.pinSetNeedsPowerCycle && state.pinSetThisPowerUp)) refuse(S.CTAP2_ERR_PIN_NOT_SET);
      if (state.pinRetries <= 0) refuse(S.CTAP2_ERR_PIN_BLOCKED);
      if (blocked(d)) refuse(S.CTAP2_ERR_PIN_AUTH_BLOCKED);
      const key = shared(protocol);
      checkPinHash(d, protocol, key, pinHashEnc!);
      state.uvCountSinceLastPinEntry = 0;
      if (state.forcePinChange && !faults.forcePinChangeIgnored) refuse(S.CTAP2_ERR_PIN_POLICY_VIOLATION);
      return new Map([[0x02, issue(d, protocol, key, permissions!, rpId, false)]]);
    }
    case PIN_SUB.getPinUvAuthTokenUsingUvWithPermissions: {
      if (!d.f.uv || d.f.level < 21) refuse(S.CTAP2_ERR_INVALID_SUBCOMMAND);
      if (keyAgreement === undefined || permissions === undefined) r.missing();
      const protocol = needProtocol();
      if (permissions === 0) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
      authorize(d, permissions!, 'uv');
      if (!d.uvConfigured) refuse(S.CTAP2_ERR_NOT_ALLOWED);
      if (state.uvRetries <= 0) refuse(S.CTAP2_ERR_UV_BLOCKED);
      const key = shared(protocol);
      const u = await d.builtInUv();
      if (u === 'blocked') refuse(S.CTAP2_ERR_UV_BLOCKED);
      if (u === 'fail') refuse(S.CTAP2_ERR_UV_INVALID);
      return new Map([[0x02, issue(d, protocol, key, permissions!, rpId, true)]]);
    }
    default:
      return refuse(S.CTAP2_ERR_INVALID_SUBCOMMAND);
  }
}

/** three wrong PINs in a row since power-up: PIN entry is blocked until the next power cycle */
function blocked(d: DeviceContext): boolean {
  return d.state.consecutivePinFailures >= 3 && !d.faults.pinAuthBlockedNotEnforced;
}

const pinHash = (pin: string) => new Uint8Array(crypto.createHash('sha256').update(pin, 'utf8').digest().subarray(0, 16));
const eqBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && crypto.timingSafeEqual(a, b);

/**
 * The permissions a token may be asked for (§6.5.5.7.2 step 4 / §6.5.5.7.3 step 4): each for a
 * feature the key has; pcmr only alone, and only with perCredMgmtRO. Undefined bits are ignored.
 */
function authorize(d: DeviceContext, permissions: number, via: 'pin' | 'uv'): void {
  if (d.faults.unauthorizedPermissionGranted) return;
  const f = d.f;
  const denied = (bit: number, ok: boolean) => permissions & bit && !ok;
  const bad =
    denied(PERMISSION.cm, f.rk && f.level >= 21) ||
    denied(PERMISSION.be, !!f.bio) ||
    denied(PERMISSION.lbw, f.largeBlob === 'command') ||
    denied(PERMISSION.acfg, f.config) ||
    (via === 'pin' && denied(PERMISSION.mc | PERMISSION.ga, !f.noMcGaPermissionsWithClientPin)) ||
    denied(PERMISSION.pcmr, f.persistentToken && (permissions & 0x7f) === PERMISSION.pcmr);
  if (bad) refuse(S.CTAP2_ERR_UNAUTHORIZED_PERMISSION);
}

/**
 * A new token for the platform, encrypted with the shared secret: the persistent token when pcmr
 * alone was asked for (§6.5.5.7.2 step 12), else a fresh pinUvAuthToken in use with these
 * permissions (steps 13-16).
 */
function issue(d: DeviceContext, protocol: PinUvAuthProtocol, key: Uint8Array, permissions: number, rpId: string | undefined, userIsPresent: boolean): Uint8Array {
  const state = d.state;
  let token: Uint8Array;
  if ((permissions & 0x7f) === PERMISSION.pcmr) {
    state.persistentToken.permissions = PERMISSION.pcmr;
    d.changed();
    token = state.persistentToken.value;
  } else token = state.beginUsingToken(protocol.version, permissions & 0x7f, rpId, userIsPresent);
  // pinProtocol2Broken: the token sent is not the one the key keeps
  const sent = d.faults.pinProtocol2Broken && protocol.version === 2 ? new Uint8Array(crypto.randomBytes(32)) : token;
  return protocol.encrypt(key, sent);
}

/**
 * §6.5.5.7 steps 8-10: a retry is spent before the PIN is compared; a mismatch regenerates the key
 * agreement key and answers PIN_BLOCKED (none left), PIN_AUTH_BLOCKED (third in a row), or
 * PIN_INVALID; a match gives every retry back.
 */
function checkPinHash(d: DeviceContext, protocol: PinUvAuthProtocol, key: Uint8Array, pinHashEnc: Uint8Array): void {
  const state = d.state;
  let given: Uint8Array | undefined;
  try {
    given = protocol.decrypt(key, pinHashEnc);
  } catch {
    given = undefined;
  }
  if (!d.faults.pinRetriesNotDecremented) state.pinRetries -= 1;
  if (!given || !state.pinHash || !eqBytes(given, state.pinHash)) {
    state.regenerate(protocol.version);
    state.consecutivePinFailures += 1;
    d.changed();
    if (state.pinRetries <= 0) refuse(S.CTAP2_ERR_PIN_BLOCKED);
    if (state.consecutivePinFailures >= 3 && !d.faults.pinAuthBlockedNotEnforced) refuse(S.CTAP2_ERR_PIN_AUTH_BLOCKED);
    refuse(S.CTAP2_ERR_PIN_INVALID);
  }
  state.pinRetries = state.maxPinRetries;
  state.consecutivePinFailures = 0;
  d.changed();
}

/**
 * paddedNewPin (§6.5.5.5 steps 6-10): decrypted (CTAP2_ERR_PIN_AUTH_INVALID), exactly 64 bytes
 * (CTAP1_ERR_INVALID_PARAMETER), trailing zeros dropped, at least minPINLength code points, at
 * most 63 bytes and maxPINLength code points, and (policy on) complex enough: otherwise
 * CTAP2_ERR_PIN_POLICY_VIOLATION.
 */
function newPin(d: DeviceContext, protocol: PinUvAuthProtocol, key: Uint8Array, newPinEnc: Uint8Array): string {
  let padded: Uint8Array;
  try {
    padded = protocol.decrypt(key, newPinEnc);
  } catch {
    return refuse(S.CTAP2_ERR_PIN_AUTH_INVALID);
  }
  if (padded.length !== 64 && !d.faults.paddedPinLengthNotChecked) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
  let end = padded.length;
  while (end > 0 && padded[end - 1] === 0) end--;
  const bytes = padded.subarray(0, end);
  let pin: string;
  try {
    pin = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return refuse(S.CTAP2_ERR_PIN_POLICY_VIOLATION);
  }
  const codePoints = [...pin].length;
  if (!d.faults.pinPolicyNotEnforced) {
    if (codePoints < d.state.minPinLength || bytes.length > 63 || codePoints > d.f.maxPinLength) refuse(S.CTAP2_ERR_PIN_POLICY_VIOLATION);
    if (d.state.pinComplexity && !pinMeetsComplexity(pin) && !d.faults.pinComplexityNotEnforced) refuse(S.CTAP2_ERR_PIN_POLICY_VIOLATION);
  }
  return pin;
}

/** §6.5.5.5 steps 11-12 / §6.5.5.6 steps 15-20 */
function storePin(d: DeviceContext, pin: string): void {
  const state = d.state;
  const changing = state.pinIsSet;
  state.pinHash = pinHash(pin);
  state.pinCodePoints = [...pin].length;
  state.pinRetries = state.maxPinRetries;
  state.forcePinChange = false;
  state.resetToken();
  if (changing) state.resetPersistentToken();
  state.uvCountSinceLastPinEntry = 0;
  d.changed();
}

export { MAX_PIN_RETRIES };
