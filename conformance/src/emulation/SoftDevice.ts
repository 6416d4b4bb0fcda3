import type crypto from 'node:crypto';
import { encodeCanonical, type CanonicalValue } from '../cbor/encodeCanonical.ts';
import { COSE_ALG } from '../webauthn/coseKey.ts';
import { CTAP2 } from '../ctap/constants.ts';
import { CTAP_STATUS as S } from '../ctap/status.ts';
import { PresenceCancelled, type AuthenticatorCore, type RequestContext } from '../ctap/connection/AuthenticatorCore.ts';
import { decodeGetInfo, getInfoToJson } from '../ctap/ctap2/getInfo.ts';
import { pinHashLeft16 } from '../ctap/ctap2/pinProtocol.ts';
import type { AttestationMaterial } from './softAttestation.ts';
import { DeviceContext, type DeviceIdentity, type DeviceTamper, type SoftFingers } from './device/DeviceContext.ts';
import { DeviceState, type SoftCredential, type SoftTemplate } from './device/DeviceState.ts';
import { resolveFeatures, type ResolvedFeatures, type SoftFeatures } from './device/features.ts';
import type { SoftFaults } from './device/faults.ts';
import { ParamReader, Refusal, readParams, refuse, type Params } from './device/params.ts';
import { getInfoMap } from './device/getInfo.ts';
import { makeCredential } from './device/makeCredential.ts';
import { getAssertion, getNextAssertion } from './device/getAssertion.ts';
import { clientPin } from './device/clientPin.ts';
import { credentialManagement } from './device/credentialManagement.ts';
import { config } from './device/config.ts';
import { bioEnrollment } from './device/bioEnrollment.ts';
import { largeBlobs } from './device/largeBlobs.ts';
import { reset } from './device/reset.ts';
import { u2f, U2fPresence } from './device/u2f.ts';

export type { SoftCredential, SoftTemplate } from './device/DeviceState.ts';
export type { SoftFeatures, ResolvedFeatures } from './device/features.ts';
export type { SoftFaults, SoftFaultName } from './device/faults.ts';
export type { DeviceTamper, SoftFingers } from './device/DeviceContext.ts';
export { SOFT_FEATURE_NAMES, FEATURE_SPECS } from './device/features.ts';
export { SOFT_FAULTS, SOFT_FAULT_NAMES } from './device/faults.ts';

export interface SoftDeviceOptions {
  aaguid?: Uint8Array;
  attestation?: AttestationMaterial;
  /**
   * enterprise attestation (CTAP 2.1 §7.1): a device-unique certificate; vendor-facilitated for
   * these RP IDs. `enabled` (default true: provisioned keys ship with it on): getInfo ep at power-up.
   */
  enterprise?: { rpIds: string[]; key: crypto.KeyObject; x5c: Uint8Array[]; enabled?: boolean };
  /** algorithms the key creates credentials with, in its order of preference */
  algorithms?: number[];
  features?: SoftFeatures;
  faults?: SoftFaults;
}

/** What `--state` keeps besides the credentials: everything that survives a power cycle. */
export interface DeviceInternals {
  pin?: { hash: string; retries: number; codePoints?: number };
  counter: number;
  largeBlobArray: Uint8Array;
  minPinLength?: number;
  minPinLengthRpIds?: string[];
  forcePinChange?: boolean;
  pinComplexity?: boolean;
  alwaysUv?: boolean;
  epEnabled?: boolean;
  longTouchForReset?: boolean;
  templates?: { id: Uint8Array; name?: string }[];
  uvRetries?: number;
  credStoreState?: Uint8Array;
  deviceIdentifier?: Uint8Array;
  persistentToken?: { value: Uint8Array; permissions: number };
}

/**
 * The software authenticator's core: a CTAP 2.3 authenticator (makeCredential, getAssertion,
 * getNextAssertion, getInfo, clientPIN with PIN/UV auth protocols 1 and 2, reset,
 * credentialManagement, selection, largeBlobs, authenticatorConfig, bioEnrollment, and the
 * FIDO_2_1_PRE commands for a 2.1-pre profile) and a U2F token, strict where CTAP says MUST. Each
 * command lives in device/ beside its faults; this class holds the state and dispatches. It only
 * ever sees bytes: a transport server (CTAPHID, the NFC card) puts it where a physical key or a
 * firmware simulator would be.
 */
export class SoftDevice implements AuthenticatorCore {
  readonly aaguid: Uint8Array;
  readonly features: ResolvedFeatures;
  readonly faults: SoftFaults;
  readonly algorithms: number[];
  readonly state: DeviceState;
  /** one-shot deviations for the next makeCredential / getAssertion */
  nextTamper: DeviceTamper = {};
  /** what the emulated person's finger does on the sensor */
  readonly fingers: SoftFingers = { next: [], always: 'match' };
  /** feedback of the next enrollment samples (ENROLL_FEEDBACK codes; FP_GOOD when none queued) */
  readonly enrollSamples: number[] = [];
  /** every state change (the --state file listens) */
  onChange?: () => void;
  private readonly identity: DeviceIdentity;
  private readonly reader: ParamReader;
  private readonly u2fPresence = new U2fPresence();

  constructor(o: SoftDeviceOptions = {}) {
    this.aaguid = o.aaguid ?? new Uint8Array(16);
    const attestation = o.attestation ?? { kind: 'none' };
    if ((attestation.kind === 'packed-full' || attestation.kind === 'fido-u2f') && (!attestation.key || !attestation.x5c?.length)) {
      throw new Error(`SoftDevice: ${attestation.kind} attestation needs a key and x5c`);
    }
    this.algorithms = o.algorithms ?? [COSE_ALG.ES256, COSE_ALG.EdDSA, COSE_ALG.RS256];
    this.identity = { aaguid: this.aaguid, attestation, enterprise: o.enterprise, algorithms: this.algorithms };
    this.features = resolveFeatures(o.features);
    this.faults = o.faults ?? {};
    this.reader = new ParamReader(() => refuse(this.faults.wrongMissingParameterStatus ? S.CTAP2_ERR_INVALID_CBOR : S.CTAP2_ERR_MISSING_PARAMETER));
    this.state = new DeviceState(this.features);
    this.state.epEnabled = !!o.enterprise && o.enterprise.enabled !== false;
    const cp = this.features.clientPin;
    if (cp) {
      this.state.pinHash = pinHashLeft16(cp.pin);
      this.state.pinCodePoints = [...cp.pin].length;
      this.state.maxPinRetries = cp.retries ?? 8;
      this.state.pinRetries = this.state.maxPinRetries;
    }
  }

  /** the credentials on the key, by base64url credential ID */
  get credentials(): Map<string, SoftCredential> {
    return this.state.credentials;
  }

  get pinSupported(): boolean {
    return this.features.pinSupported;
  }

  get pinIsSet(): boolean {
    return this.state.pinIsSet;
  }

  /** PIN retries left (getPINRetries) */
  get retriesLeft(): number {
    return this.state.pinRetries;
  }

  /** A power cycle: a new key agreement key and token, PIN blocking lifted, pending requests forgotten; the rest persists. */
  powerCycle(): void {
    const s = this.state;
    const token = s.token;
    const retries = s.pinRetries;
    s.powerUp();
    if (this.faults.tokenSurvivesPowerCycle) s.token = token;
    if (this.faults.pinRetriesNotPersistent) s.pinRetries = s.maxPinRetries;
    else s.pinRetries = retries;
    if (this.faults.credentialsLostOnPowerCycle) {
      s.credentials.clear();
      s.credentialsChanged();
    }
    this.changed();
  }

  private context(req: RequestContext, requestBytes: Uint8Array, tamper: DeviceTamper = {}): DeviceContext {
    return new DeviceContext({ requestBytes, state: this.state, f: this.features, faults: this.faults, identity: this.identity, read: this.reader, req, fingers: this.fingers, tamper, changed: () => this.changed() });
  }

  /** getInfo as the key answers it now (`honest`: without the getInfo faults, as a statement would carry it) */
  getInfoMap(o: { honest?: boolean } = {}): Map<number, CanonicalValue> {
    const ctx = this.context(NO_REQUEST, new Uint8Array());
    return getInfoMap(ctx, o);
  }

  /** getInfo as JSON, as a metadata statement carries it, without the getInfo faults (what the key really does) */
  honestGetInfoJson(): Record<string, unknown> {
    const j = getInfoToJson(decodeGetInfo(encodeCanonical(this.getInfoMap({ honest: true }))));
    // members that change with every answer or with use are not what a statement declares
    for (const k of ['encIdentifier', 'encCredStoreState', 'remainingDiscoverableCredentials', 'uvCountSinceLastPinEntry']) delete j[k];
    return j;
  }

  // ---------------------------------------------------------------------- dispatch

  /** whether this key answers a command byte at all (CTAP1_ERR_INVALID_COMMAND otherwise) */
  private implements(cmd: number): boolean {
    const f = this.features;
    const preview = f.preview || !!this.faults.previewCommandsAlways;
    switch (cmd) {
      case CTAP2.getInfo:
      case CTAP2.makeCredential:
      case CTAP2.getAssertion:
      case CTAP2.getNextAssertion:
      case CTAP2.reset:
        return f.ctap !== 'u2f-only';
      case CTAP2.clientPIN:
        return f.ctap !== 'u2f-only' && (f.pinSupported || f.uv);
      case CTAP2.credentialManagement:
        return f.level >= 21 && f.rk;
      case CTAP2.credentialManagementPreview:
        return preview && f.rk;
      case CTAP2.selection:
        return f.level >= 21;
      case CTAP2.largeBlobs:
        return f.largeBlob === 'command';
      case CTAP2.config:
        return f.config;
      case CTAP2.bioEnrollment:
        return f.level >= 21 && !!f.bio;
      case CTAP2.bioEnrollmentPreview:
        return preview && !!f.bio;
      default:
        return false;
    }
  }

  async cbor(request: Uint8Array, ctx: RequestContext): Promise<Uint8Array> {
    const cmd = request[0]!;
    const f = this.features;
    const body = request.subarray(1);
    const pending = this.state.pending;
    // a command other than the follow-up of the last one forgets what the last one remembered (§6.3, §6.8)
    const continues = cmd === CTAP2.getNextAssertion || cmd === CTAP2.credentialManagement || cmd === CTAP2.credentialManagementPreview || cmd === CTAP2.largeBlobs || cmd === CTAP2.bioEnrollment || cmd === CTAP2.bioEnrollmentPreview;
    if (!continues) this.state.pending = undefined;
    try {
      if (!this.implements(cmd)) refuse(S.CTAP1_ERR_INVALID_COMMAND);
      if (request.length > f.maxMsgSize && !this.faults.maxMsgSizeNotEnforced) refuse(S.CTAP1_ERR_INVALID_LENGTH);
      const takesParams = cmd !== CTAP2.getInfo && cmd !== CTAP2.getNextAssertion && cmd !== CTAP2.reset && cmd !== CTAP2.selection;
      const p: Params = takesParams ? readParams(body) : new Map();
      const tamper = cmd === CTAP2.makeCredential || cmd === CTAP2.getAssertion ? this.takeTamper() : {};
      const d = this.context(ctx, takesParams ? body : new Uint8Array(), tamper);
      switch (cmd) {
        case CTAP2.getInfo:
          return ok(getInfoMap(d));
        case CTAP2.makeCredential:
          return ok(await makeCredential(d, p));
        case CTAP2.getAssertion:
          return ok(await getAssertion(d, p));
        case CTAP2.getNextAssertion:
          return ok(getNextAssertion(d));
        case CTAP2.clientPIN:
          return ok(await clientPin(d, p));
        case CTAP2.reset:
          await reset(d);
          return ok();
        case CTAP2.credentialManagement:
        case CTAP2.credentialManagementPreview:
          this.state.pending = undefined;
          return ok(credentialManagement(d, p, pending));
        case CTAP2.selection:
          await d.presence();
          return ok();
        case CTAP2.largeBlobs:
          return ok(largeBlobs(d, p));
        case CTAP2.config:
          return ok(config(d, p));
        default:
          return ok(await bioEnrollment(d, p, this.enrollSamples));
      }
    } catch (e) {
      if (e instanceof Refusal) return Uint8Array.of(e.code);
      if (e instanceof PresenceCancelled) return Uint8Array.of(S.CTAP2_ERR_KEEPALIVE_CANCEL);
      throw e;
    }
  }

  private takeTamper(): DeviceTamper {
    const t = this.nextTamper;
    this.nextTamper = {};
    return t;
  }

  /** U2F raw messages (FIDO U2F §4); present when the profile keeps U2F. */
  get msg(): ((apdu: Uint8Array, ctx: RequestContext) => Promise<Uint8Array>) | undefined {
    return this.features.u2f ? (apdu, ctx) => u2f(this.context(ctx, new Uint8Array()), apdu, this.u2fPresence) : undefined;
  }

  wink() {}

  /** what --state keeps besides the credentials */
  exportInternals(): DeviceInternals {
    const s = this.state;
    return {
      pin: s.pinHash ? { hash: Buffer.from(s.pinHash).toString('hex'), retries: s.pinRetries, codePoints: s.pinCodePoints } : undefined,
      counter: s.globalCounter,
      largeBlobArray: s.largeBlobArray,
      minPinLength: s.minPinLength,
      minPinLengthRpIds: s.minPinLengthRpIds,
      forcePinChange: s.forcePinChange,
      pinComplexity: s.pinComplexity,
      alwaysUv: s.alwaysUv,
      epEnabled: s.epEnabled,
      longTouchForReset: s.longTouchForReset,
      templates: s.templates.map((t) => ({ ...t })),
      uvRetries: s.uvRetries,
      credStoreState: s.credStoreState,
      deviceIdentifier: s.deviceIdentifier,
      persistentToken: s.persistentToken,
    };
  }

  importInternals(i: DeviceInternals): void {
    const s = this.state;
    s.pinHash = i.pin ? new Uint8Array(Buffer.from(i.pin.hash, 'hex')) : undefined;
    s.pinRetries = i.pin?.retries ?? s.maxPinRetries;
    s.pinCodePoints = i.pin?.codePoints ?? (i.pin ? 4 : 0);
    s.globalCounter = i.counter;
    s.largeBlobArray = i.largeBlobArray;
    if (i.minPinLength !== undefined) s.minPinLength = i.minPinLength;
    if (i.minPinLengthRpIds) s.minPinLengthRpIds = i.minPinLengthRpIds;
    if (i.forcePinChange !== undefined) s.forcePinChange = i.forcePinChange;
    if (i.pinComplexity !== undefined) s.pinComplexity = i.pinComplexity;
    if (i.alwaysUv !== undefined) s.alwaysUv = i.alwaysUv;
    if (i.epEnabled !== undefined) s.epEnabled = i.epEnabled;
    if (i.longTouchForReset !== undefined) s.longTouchForReset = i.longTouchForReset;
    if (i.templates) s.templates = i.templates.map((t) => ({ ...t }));
    if (i.uvRetries !== undefined) s.uvRetries = i.uvRetries;
    if (i.credStoreState) s.credStoreState = i.credStoreState;
    if (i.deviceIdentifier) s.deviceIdentifier = i.deviceIdentifier;
    if (i.persistentToken) s.persistentToken = i.persistentToken;
    s.sequence = Math.max(s.sequence, ...[...s.credentials.values()].map((c) => c.created));
  }

  private changed() {
    this.onChange?.();
  }
}

const NO_REQUEST: RequestContext = { userPresence: async () => {}, signal: new AbortController().signal, transport: 'usb' };

const ok = (body?: CanonicalValue) => Uint8Array.from([0, ...(body === undefined ? [] : encodeCanonical(body))]);

export type { DeviceIdentity };
