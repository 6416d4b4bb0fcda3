import crypto from 'node:crypto';
import { keyAgreementKeyPair, pinProtocol, type CoseKeyAgreement, type PinUvAuthProtocol } from '../../ctap/ctap2/pinProtocol.ts';
import { PERMISSION } from '../../ctap/constants.ts';
import { serializeLargeBlobArray } from '../../ctap/ctap2/largeBlobs.ts';
import type { ResolvedFeatures } from './features.ts';

/** A credential the software key holds. */
export interface SoftCredential {
  id: Uint8Array;
  alg: number;
  privateKey: crypto.KeyObject;
  publicKeyCose: Uint8Array;
  /** absent for credentials made through U2F (only the application parameter is known) */
  rpId?: string;
  rpIdHash: Uint8Array;
  rpName?: string;
  userHandle: Uint8Array;
  userName?: string;
  userDisplayName?: string;
  signCount: number;
  discoverable: boolean;
  /** the transport it was made over (kept only under the credentialsPerTransport fault) */
  madeOver?: 'usb' | 'nfc';
  /** hmac-secret (CTAP 2.1 §12.5): one CredRandom with user verification, one without */
  credRandomWithUv?: Uint8Array;
  credRandomWithoutUv?: Uint8Array;
  credProtect: number;
  credBlob?: Uint8Array;
  largeBlobKey?: Uint8Array;
  /** the CTAP 2.3 largeBlob extension: the blob kept with the credential (as the platform sent it: compressed) */
  largeBlob?: { data: Uint8Array; originalSize: number };
  /** thirdPartyPayment (CTAP 2.2): the credential may be used for payments by a third party */
  thirdPartyPayment?: boolean;
  /** made through U2F_REGISTER */
  u2f?: boolean;
  created: number;
}

/** A fingerprint template of the emulated sensor. */
export interface SoftTemplate {
  id: Uint8Array;
  name?: string;
}

/**
 * The state of the pinUvAuthToken (CTAP 2.1 §6.5.2.1): in use or not, its permissions and
 * permissions RP ID, the user-present and user-verified flags, and its timers. A token is good
 * for one operation that tests user presence (makeCredential and getAssertion clear the flags
 * and every permission but lbw, §6.1.2 step 14.4, §6.2.2 step 9.4).
 */
export interface TokenState {
  value: Uint8Array;
  protocol: PinUvAuthProtocol | undefined;
  inUse: boolean;
  permissions: number;
  rpId?: string;
  userPresent: boolean;
  userVerified: boolean;
  beganAt: number;
  usedAt?: number;
}

/** CTAP 2.1 §6.5.2.1: a token unused this long after it was issued expires (the USB figure). */
export const INITIAL_USAGE_TIME_LIMIT_MS = 30_000;
/** and no token lives longer than this */
export const MAX_USAGE_TIME_PERIOD_MS = 10 * 60_000;
export const MAX_PIN_RETRIES = 8;
export const MAX_UV_RETRIES = 8;

/**
 * Everything the software key remembers: what survives a power cycle (credentials, PIN and its
 * retries, configuration, fingers, large blobs, counters, the persistent token) and what does not
 * (key agreement keys, the pinUvAuthToken, the count of consecutive wrong PINs, the state of an
 * enumeration in progress). `powerUp()` is the power cycle.
 */
export class DeviceState {
  readonly credentials = new Map<string, SoftCredential>();
  // --- persistent
  pinHash?: Uint8Array;
  /** PINCodePointLength (§6.5.5.5 step 11) */
  pinCodePoints = 0;
  pinRetries = MAX_PIN_RETRIES;
  maxPinRetries = MAX_PIN_RETRIES;
  minPinLength: number;
  minPinLengthRpIds: string[];
  forcePinChange = false;
  pinComplexity: boolean;
  alwaysUv: boolean;
  epEnabled = false;
  longTouchForReset: boolean;
  templates: SoftTemplate[] = [];
  uvRetries = MAX_UV_RETRIES;
  uvCountSinceLastPinEntry = 0;
  largeBlobArray = serializeLargeBlobArray([]);
  globalCounter = 0;
  sequence = 0;
  /** CTAP 2.3 §6.1.2 step 17.5: a fresh 128-bit value whenever the discoverable credentials change */
  credStoreState: Uint8Array = new Uint8Array(crypto.randomBytes(16));
  /** the device identifier encIdentifier carries (new after a reset) */
  deviceIdentifier: Uint8Array = new Uint8Array(crypto.randomBytes(16));
  /** the persistentPinUvAuthToken (CTAP 2.2): survives power cycles, new on PIN change and reset */
  persistentToken: { value: Uint8Array; permissions: number } = { value: new Uint8Array(crypto.randomBytes(32)), permissions: 0 };
  // --- volatile
  powerUpAt = Date.now();
  keyAgreement = new Map<number, { privateKey: crypto.KeyObject; cose: CoseKeyAgreement }>();
  token: TokenState = freshToken();
  consecutivePinFailures = 0;
  /** a PIN was set since power-up (only the pinSetNeedsPowerCycle fault looks at it) */
  pinSetThisPowerUp = false;
  /** the command whose follow-up may come next (getNextAssertion, an enumeration, a large-blob write, an enrollment) */
  pending?: { command: 'assertion' | 'rps' | 'credentials' | 'largeBlobWrite' | 'enrollment'; state: unknown };

  constructor(f: ResolvedFeatures) {
    this.minPinLength = Math.max(4, f.minPinLength || 4);
    this.minPinLengthRpIds = [...f.minPinLengthRpIds];
    this.pinComplexity = f.pinComplexityPolicy === 'on';
    this.alwaysUv = f.alwaysUv === 'on';
    this.longTouchForReset = f.longTouchForReset;
    if (f.bio) for (let i = 0; i < f.bio.templates; i++) this.templates.push({ id: Uint8Array.of(i + 1), name: `finger ${i + 1}` });
    this.powerUp();
  }

  /** Power-up (and a power cycle): volatile state regenerated (CTAP 2.1 §6.5.2.1 initialize()). */
  powerUp(now = Date.now()): void {
    this.powerUpAt = now;
    this.keyAgreement = new Map([1, 2].map((v) => [v, keyAgreementKeyPair()]));
    this.token = freshToken();
    this.consecutivePinFailures = 0;
    this.pinSetThisPowerUp = false;
    this.pending = undefined;
  }

  /** regenerate() for one protocol (a wrong PIN, §6.5.5.7 step 9.1.1): its key agreement key pair is new */
  regenerate(protocol: number): void {
    this.keyAgreement.set(protocol, keyAgreementKeyPair());
  }

  /** resetPinUvAuthToken() for all protocols: a new random token, not in use */
  resetToken(): void {
    this.token = freshToken();
  }

  /** beginUsingPinUvAuthToken(userIsPresent) */
  beginUsingToken(protocol: number, permissions: number, rpId: string | undefined, userIsPresent: boolean, now = Date.now()): Uint8Array {
    this.resetToken();
    Object.assign(this.token, { protocol: pinProtocol(protocol), inUse: true, permissions, rpId, userPresent: userIsPresent, userVerified: true, beganAt: now });
    return this.token.value;
  }

  /** the token, if it is in use and its timers have not run out (stopUsingPinUvAuthToken otherwise) */
  liveToken(now = Date.now()): TokenState | undefined {
    const t = this.token;
    if (!t.inUse) return undefined;
    if (now - t.beganAt > MAX_USAGE_TIME_PERIOD_MS || (t.usedAt === undefined && now - t.beganAt > INITIAL_USAGE_TIME_LIMIT_MS)) {
      this.resetToken();
      return undefined;
    }
    return t;
  }

  /** §6.1.2 step 14.4 / §6.2.2 step 9.4 after a user-present operation */
  clearTokenAfterPresence(): void {
    this.token.userPresent = false;
    this.token.userVerified = false;
    this.token.permissions &= PERMISSION.lbw;
  }

  /** resetPersistentPinUvAuthToken(): a new value and no permission (PIN change, reset) */
  resetPersistentToken(): void {
    this.persistentToken = { value: new Uint8Array(crypto.randomBytes(32)), permissions: 0 };
  }

  get pinIsSet(): boolean {
    return !!this.pinHash;
  }

  discoverableCount(): number {
    let n = 0;
    for (const c of this.credentials.values()) if (c.discoverable) n++;
    return n;
  }

  /** the discoverable credentials changed: a new credential store state (CTAP 2.3 encCredStoreState) */
  credentialsChanged(): void {
    this.credStoreState = new Uint8Array(crypto.randomBytes(16));
  }
}

function freshToken(): TokenState {
  return { value: new Uint8Array(crypto.randomBytes(32)), protocol: undefined, inUse: false, permissions: 0, userPresent: false, userVerified: false, beganAt: 0 };
}
