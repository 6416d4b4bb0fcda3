import crypto from 'node:crypto';
import { decodeCbor, type CborValue } from '../cbor/decodeCbor.ts';
import { encodeCanonical, RawCbor, type CanonicalValue } from '../cbor/encodeCanonical.ts';
import { toBase64url } from '../encoding/base64url.ts';
import { COSE_ALG } from '../webauthn/coseKey.ts';
import { CTAP2, PIN_SUB, CM_SUB, PERMISSION } from '../ctap/constants.ts';
import { CTAP_STATUS as S, U2F_SW } from '../ctap/status.ts';
import type { AuthenticatorCore, RequestContext } from '../ctap/hid/CtapHidServer.ts';
import { PresenceCancelled } from '../ctap/hid/CtapHidServer.ts';
import { coseToPublicKey, ecdh, keyAgreementKeyPair, pinHashLeft16, pinProtocol, type CoseKeyAgreement, type PinUvAuthProtocol } from '../ctap/ctap2/pinProtocol.ts';
import { serializeLargeBlobArray } from '../ctap/ctap2/largeBlobs.ts';
import { decodeGetInfo, getInfoToJson } from '../ctap/ctap2/getInfo.ts';
import { attestationStatement, generateCredentialKey, signWith, type AttestationMaterial } from './softAttestation.ts';
import { peculiarX509 } from '../pki/x509Provider.ts';

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
  /** hmac-secret (CTAP 2.1 §12.5): one CredRandom with user verification, one without */
  credRandomWithUv?: Uint8Array;
  credRandomWithoutUv?: Uint8Array;
  credProtect: number;
  credBlob?: Uint8Array;
  largeBlobKey?: Uint8Array;
  /** made through U2F_REGISTER */
  u2f?: boolean;
  created: number;
}

/** Defects on purpose, so every check can be shown to catch the one it names. */
export interface SoftFaults {
  noUP?: boolean;
  bsWithoutBe?: boolean;
  counterStuck?: boolean;
  shortCredentialId?: boolean;
  /** a new resident credential for an RP replaces every other one on that RP */
  singleResidentSlot?: boolean;
  bogusAttestationSignature?: boolean;
  /** packed x5c sent, but the statement signed with the credential key */
  attestationSignedByCredentialKey?: boolean;
  aaguidMismatch?: boolean;
  wrongRpIdHash?: boolean;
  uvWithoutVerification?: boolean;
  counterBackwards?: boolean;
  hmacUnstable?: boolean;
  /** rk requested and accepted, but the credential is not kept as discoverable */
  residentNotStored?: boolean;
  /** attestation statement keys out of CTAP2 canonical order */
  nonCanonicalCbor?: boolean;
  /** a stray CBOR item after the authenticator data's last field */
  trailingCbor?: boolean;
  /** the credential's COSE key map claims one more entry than it holds (registrations) */
  coseKeyMiscounted?: boolean;
  /** authenticator data cut inside the AAGUID, AT flag still set (registrations; Firefox 98 sent one) */
  truncatedAaguid?: boolean;
  wrongCoseKeyType?: boolean;
  // CTAP-level defects (check --ctap)
  /** getInfo lists extensions the key does not implement (credBlob) */
  getInfoDeclaresMissingExtension?: boolean;
  /** getInfo reports another AAGUID than authenticator data */
  getInfoAaguidMismatch?: boolean;
  /** PIN/UV auth protocol 2 advertised, but its tokens are wrong */
  pinProtocol2Broken?: boolean;
  /** hmac-secret answers the first salt's output for the second too */
  hmacIgnoresSecondSalt?: boolean;
  /** hmac-secret gives the same output with and without user verification */
  hmacSameWithAndWithoutUv?: boolean;
  /** credential management lists only one credential per RP */
  credMgmtMissesAccounts?: boolean;
  /** credProtect levels stored and reported but not enforced */
  credProtectNotEnforced?: boolean;
  /** a missing required parameter answered with CTAP2_ERR_INVALID_CBOR instead of CTAP2_ERR_MISSING_PARAMETER */
  wrongMissingParameterStatus?: boolean;
  /** a wrong PIN refused without costing a retry (a PIN guesser's friend) */
  pinRetriesNotDecremented?: boolean;
  /** U2F_REGISTER signed over the wrong bytes */
  u2fBogusRegisterSignature?: boolean;
  // CTAPHID defects (the transport layer in front of the device: SoftAuthenticator hands them to CtapHidServer)
  /** CTAPHID_CANCEL ignored: the request keeps waiting for the touch */
  cancelIgnored?: boolean;
  /** no CTAPHID_KEEPALIVE while waiting for a touch */
  noKeepalive?: boolean;
  /** packets on a channel the key never allocated are processed */
  acceptWrongChannel?: boolean;
}

/** What the emulated key can do; defaults model a FIDO2 key with built-in UV and resident keys. */
export interface SoftFeatures {
  rk?: boolean;
  /** built-in user verification (biometric) that always succeeds */
  uv?: boolean;
  /** client PIN (CTAP 2.1 §6.5): set with this PIN; `false`: not supported at all; absent: supported, no PIN set */
  clientPin?: { pin: string; retries?: number } | false;
  hmacSecret?: boolean;
  credProtect?: boolean;
  credBlob?: boolean;
  largeBlob?: boolean;
  /** minPinLength (CTAP 2.1 §12.4) reported to RPs that ask; 0 = extension not supported */
  minPinLength?: number;
  counter?: 'per-credential' | 'global';
  /** how many resident credentials fit (CTAP2_ERR_KEY_STORE_FULL beyond) */
  residentCapacity?: number;
  transports?: string[];
  /** CTAP 2.0 only (no credential management, no pinUvAuthToken, PIN protocol 1 only), 2.1, or a U2F-only key (no CTAP2 at all) */
  ctap?: '2.0' | '2.1' | 'u2f-only';
  /** CTAP1/U2F as well (U2F_V2 in versions, CTAPHID_MSG) */
  u2f?: boolean;
  pinProtocols?: (1 | 2)[];
  maxMsgSize?: number;
  firmwareVersion?: number;
  /** the curve of EdDSA (-8) credentials: Ed25519 (default) or Ed448 (RFC 9053 §7.2) */
  eddsaCurve?: 'Ed25519' | 'Ed448';
}

/** Every fault switch by name, for profiles read from JSON (an unknown name is refused, not ignored). */
export const SOFT_FAULT_NAMES = ['noUP', 'bsWithoutBe', 'counterStuck', 'shortCredentialId', 'singleResidentSlot', 'bogusAttestationSignature', 'attestationSignedByCredentialKey', 'aaguidMismatch', 'wrongRpIdHash', 'uvWithoutVerification', 'counterBackwards', 'hmacUnstable', 'residentNotStored', 'nonCanonicalCbor', 'trailingCbor', 'coseKeyMiscounted', 'truncatedAaguid', 'wrongCoseKeyType', 'getInfoDeclaresMissingExtension', 'getInfoAaguidMismatch', 'pinProtocol2Broken', 'hmacIgnoresSecondSalt', 'hmacSameWithAndWithoutUv', 'credMgmtMissesAccounts', 'credProtectNotEnforced', 'wrongMissingParameterStatus', 'pinRetriesNotDecremented', 'u2fBogusRegisterSignature', 'cancelIgnored', 'noKeepalive', 'acceptWrongChannel'] as const satisfies readonly (keyof SoftFaults)[];
/** Every feature by name, likewise. */
export const SOFT_FEATURE_NAMES = ['rk', 'uv', 'clientPin', 'hmacSecret', 'credProtect', 'credBlob', 'largeBlob', 'minPinLength', 'counter', 'residentCapacity', 'transports', 'ctap', 'u2f', 'pinProtocols', 'maxMsgSize', 'firmwareVersion', 'eddsaCurve'] as const satisfies readonly (keyof SoftFeatures)[];
// the lists are the interfaces: a member added to one but not the other does not compile
const faultsComplete: Exclude<keyof SoftFaults, (typeof SOFT_FAULT_NAMES)[number]> extends never ? true : never = true;
const featuresComplete: Exclude<keyof SoftFeatures, (typeof SOFT_FEATURE_NAMES)[number]> extends never ? true : never = true;
void faultsComplete;
void featuresComplete;

export interface SoftDeviceOptions {
  aaguid?: Uint8Array;
  attestation?: AttestationMaterial;
  /** enterprise attestation (WebAuthn L3 §5.4.7): a device-unique certificate for these RP IDs only */
  enterprise?: { rpIds: string[]; key: crypto.KeyObject; x5c: Uint8Array[] };
  /** algorithms the key creates credentials with, in its order of preference */
  algorithms?: number[];
  features?: SoftFeatures;
  faults?: SoftFaults;
}

/** One-shot deviations for the next response (tests of the RP's refusals). */
export interface DeviceTamper {
  clearUP?: boolean;
  setUV?: boolean;
  clearUV?: boolean;
  bogusSignature?: boolean;
  signCount?: number;
  /** sign for another RP ID (rpIdHash) */
  rpId?: string;
}

type Params = Map<number | string, CborValue>;
const ok = (body?: CanonicalValue) => Uint8Array.from([0, ...(body === undefined ? [] : encodeCanonical(body))]);
const status = (code: number) => Uint8Array.of(code);
const sha256 = (b: Uint8Array | string) => new Uint8Array(crypto.createHash('sha256').update(b).digest());
const eq = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.from(a).equals(Buffer.from(b));

class Refusal extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`status 0x${code.toString(16)}`);
    this.code = code;
  }
}
const refuse = (code: number): never => {
  throw new Refusal(code);
};

interface TokenState {
  token: Uint8Array;
  protocol: PinUvAuthProtocol;
  permissions: number;
  rpId?: string;
  /** obtained with built-in UV (not the PIN) */
  viaUv: boolean;
}

/**
 * The software authenticator's core: a CTAP 2.1 authenticator (CTAP 2.1 §6: makeCredential,
 * getAssertion, getNextAssertion, getInfo, clientPIN with PIN/UV auth protocols 1 and 2,
 * credentialManagement, selection, largeBlobs, reset) and a U2F token (APDUs), with the
 * identity of a profile (AAGUID, attestation) and its faults. It only ever sees bytes: the
 * CTAPHID layer (ctap/hid/CtapHidServer) puts it behind a transport, exactly where a
 * physical key or a firmware simulator would be.
 */
export class SoftDevice implements AuthenticatorCore {
  readonly aaguid: Uint8Array;
  readonly credentials = new Map<string, SoftCredential>();
  readonly features: Required<Omit<SoftFeatures, 'clientPin'>> & { clientPin: SoftFeatures['clientPin'] };
  readonly faults: SoftFaults;
  readonly algorithms: number[];
  /** one-shot deviations for the next makeCredential / getAssertion */
  nextTamper: DeviceTamper = {};
  private readonly attestation: AttestationMaterial;
  private readonly enterprise?: SoftDeviceOptions['enterprise'];
  private globalCounter = 0;
  private sequence = 0;
  private pinHash?: Uint8Array;
  private pinRetries = 8;
  private consecutivePinFailures = 0;
  private keyAgreement = keyAgreementKeyPair();
  private token?: TokenState;
  private pendingAssertions?: { list: SoftCredential[]; rpId: string; clientDataHash: Uint8Array; uv: boolean; up: boolean; expires: number; extensions?: Params; pinUv: boolean };
  private largeBlobArray = serializeLargeBlobArray([]);
  private largeBlobWrite?: { expected: number; buf: number[] };
  private u2fTouchedUntil = 0;
  private u2fPresence?: Promise<void>;
  /** every state change (the --state file listens) */
  onChange?: () => void;

  constructor(o: SoftDeviceOptions = {}) {
    this.aaguid = o.aaguid ?? new Uint8Array(16);
    this.attestation = o.attestation ?? { kind: 'none' };
    if ((this.attestation.kind === 'packed-full' || this.attestation.kind === 'fido-u2f') && (!this.attestation.key || !this.attestation.x5c?.length)) {
      throw new Error(`SoftDevice: ${this.attestation.kind} attestation needs a key and x5c`);
    }
    this.enterprise = o.enterprise;
    this.algorithms = o.algorithms ?? [COSE_ALG.ES256, COSE_ALG.EdDSA, COSE_ALG.RS256];
    const f = o.features ?? {};
    this.features = {
      rk: f.rk ?? true,
      uv: f.uv ?? true,
      clientPin: f.clientPin,
      hmacSecret: f.hmacSecret ?? true,
      credProtect: f.credProtect ?? true,
      credBlob: f.credBlob ?? false,
      largeBlob: f.largeBlob ?? false,
      minPinLength: f.minPinLength ?? 0,
      counter: f.counter ?? 'per-credential',
      residentCapacity: f.residentCapacity ?? 25,
      transports: f.transports ?? ['usb'],
      ctap: f.ctap ?? '2.1',
      u2f: f.u2f ?? true,
      // (a u2f-only key keeps U2F whatever `u2f` says)
      pinProtocols: f.pinProtocols ?? ((f.ctap ?? '2.1') === '2.1' ? [2, 1] : [1]),
      maxMsgSize: f.maxMsgSize ?? 1200,
      firmwareVersion: f.firmwareVersion ?? 0x050700,
      eddsaCurve: f.eddsaCurve ?? 'Ed25519',
    };
    this.faults = o.faults ?? {};
    if (f.clientPin) {
      this.pinHash = pinHashLeft16(f.clientPin.pin);
      this.pinRetries = f.clientPin.retries ?? 8;
    }
  }

  get ctap21(): boolean {
    return this.features.ctap === '2.1';
  }

  get pinSupported(): boolean {
    return this.features.clientPin !== false;
  }

  get pinIsSet(): boolean {
    return !!this.pinHash;
  }

  /** PIN retries left (getPINRetries) */
  get retriesLeft(): number {
    return this.pinRetries;
  }

  private maxRetries(): number {
    return (this.features.clientPin && this.features.clientPin.retries) || 8;
  }

  /** a power cycle: a new key agreement key, tokens and pending assertions forgotten */
  powerCycle() {
    this.keyAgreement = keyAgreementKeyPair();
    this.token = undefined;
    this.consecutivePinFailures = 0;
    this.pendingAssertions = undefined;
  }

  // ---------------------------------------------------------------------- getInfo

  getInfoMap(o: { honest?: boolean } = {}): Map<number, CanonicalValue> {
    const f = this.features;
    const lie = !o.honest;
    const extensions = [
      ...(f.credBlob || (lie && this.faults.getInfoDeclaresMissingExtension) ? ['credBlob'] : []),
      ...(f.credProtect ? ['credProtect'] : []),
      ...(f.hmacSecret ? ['hmac-secret'] : []),
      ...(f.largeBlob ? ['largeBlobKey'] : []),
      ...(f.minPinLength ? ['minPinLength'] : []),
    ];
    const options: Record<string, boolean> = { rk: f.rk, up: true, plat: false };
    if (f.uv) options.uv = true;
    if (this.pinSupported) options.clientPin = this.pinIsSet;
    if (this.ctap21) {
      if (this.pinSupported || f.uv) options.pinUvAuthToken = true;
      if (f.rk) options.credMgmt = true;
      if (f.largeBlob) options.largeBlobs = true;
      options.makeCredUvNotRqd = true;
    }
    if (this.enterprise) options.ep = true;
    const aaguid = lie && this.faults.getInfoAaguidMismatch ? Uint8Array.from(this.aaguid, (b, i) => (i === 0 ? b ^ 0xff : b)) : this.aaguid;
    const m = new Map<number, CanonicalValue>([
      [0x01, [...(f.u2f ? ['U2F_V2'] : []), 'FIDO_2_0', ...(this.ctap21 ? ['FIDO_2_1'] : [])]],
      [0x02, extensions],
      [0x03, aaguid],
      [0x04, options],
      [0x05, f.maxMsgSize],
    ]);
    if (this.pinSupported || f.uv) m.set(0x06, f.pinProtocols);
    m.set(0x07, 8);
    m.set(0x08, 128);
    m.set(0x09, f.transports);
    m.set(0x0a, this.algorithms.map((alg) => ({ type: 'public-key', alg })));
    if (f.largeBlob) m.set(0x0b, 1024);
    if (this.ctap21) m.set(0x0d, 4);
    m.set(0x0e, f.firmwareVersion);
    if (f.credBlob) m.set(0x0f, 32);
    if (this.ctap21 && f.rk) m.set(0x14, Math.max(0, f.residentCapacity - this.discoverableCount()));
    return m;
  }

  /** getInfo as JSON, as a metadata statement carries it, without the getInfo faults (what the key really does) */
  honestGetInfoJson(): Record<string, unknown> {
    return getInfoToJson(decodeGetInfo(encodeCanonical(this.getInfoMap({ honest: true }))));
  }

  private discoverableCount() {
    return [...this.credentials.values()].filter((c) => c.discoverable).length;
  }

  // ---------------------------------------------------------------------- dispatch

  async cbor(request: Uint8Array, ctx: RequestContext): Promise<Uint8Array> {
    const cmd = request[0]!;
    if (request.length > this.features.maxMsgSize) return status(S.CTAP1_ERR_INVALID_LENGTH);
    let params: Params = new Map();
    if (request.length > 1) {
      let v: CborValue;
      try {
        v = decodeCbor(request.subarray(1), 'request').value;
      } catch {
        return status(S.CTAP2_ERR_INVALID_CBOR);
      }
      if (!(v instanceof Map)) return status(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
      params = v;
    }
    try {
      switch (cmd) {
        case CTAP2.getInfo:
          return ok(this.getInfoMap());
        case CTAP2.makeCredential:
          return await this.makeCredential(params, ctx);
        case CTAP2.getAssertion:
          return await this.getAssertion(params, ctx);
        case CTAP2.getNextAssertion:
          return this.getNextAssertion();
        case CTAP2.clientPIN:
          if (!this.pinSupported && !this.features.uv) return status(S.CTAP1_ERR_INVALID_COMMAND);
          return await this.clientPin(params, ctx);
        case CTAP2.reset:
          await ctx.userPresence();
          this.credentials.clear();
          this.pinHash = undefined;
          this.pinRetries = 8;
          this.largeBlobArray = serializeLargeBlobArray([]);
          this.powerCycle();
          this.changed();
          return ok();
        case CTAP2.credentialManagement:
        case CTAP2.credentialManagementPreview:
          if (!this.ctap21 || !this.features.rk) return status(S.CTAP1_ERR_INVALID_COMMAND);
          return this.credentialManagement(params);
        case CTAP2.selection:
          if (!this.ctap21) return status(S.CTAP1_ERR_INVALID_COMMAND);
          await ctx.userPresence();
          return ok();
        case CTAP2.largeBlobs:
          if (!this.features.largeBlob) return status(S.CTAP1_ERR_INVALID_COMMAND);
          return this.largeBlobs(params);
        default:
          return status(S.CTAP1_ERR_INVALID_COMMAND);
      }
    } catch (e) {
      if (e instanceof Refusal) return status(e.code);
      if (e instanceof PresenceCancelled) return status(S.CTAP2_ERR_KEEPALIVE_CANCEL);
      throw e;
    }
  }

  private missing(): never {
    return refuse(this.faults.wrongMissingParameterStatus ? S.CTAP2_ERR_INVALID_CBOR : S.CTAP2_ERR_MISSING_PARAMETER);
  }

  private required<T extends CborValue>(p: Params, key: number, test: (v: CborValue) => boolean): T {
    const v = p.get(key);
    if (v === undefined) this.missing();
    if (!test(v!)) refuse(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
    return v as T;
  }

  private optional<T extends CborValue>(p: Params, key: number, test: (v: CborValue) => boolean): T | undefined {
    const v = p.get(key);
    if (v === undefined) return undefined;
    if (!test(v)) refuse(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
    return v as T;
  }

  /** verify pinUvAuthParam against the current token; true when the request is user-verified by it */
  private checkPinUvAuth(p: Params, paramKey: number, protocolKey: number, message: Uint8Array, permission: number, rpId?: string): boolean {
    const param = this.optional<Uint8Array>(p, paramKey, isBytes);
    if (param === undefined) return false;
    const version = this.optional<number>(p, protocolKey, isUint);
    if (version === undefined) this.missing();
    if (!this.features.pinProtocols.includes(version as 1 | 2)) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
    const t = this.token;
    if (!t || t.protocol.version !== version || !t.protocol.verify(t.token, message, param!)) refuse(S.CTAP2_ERR_PIN_AUTH_INVALID);
    if (!(t!.permissions & permission)) refuse(S.CTAP2_ERR_PIN_AUTH_INVALID);
    if (t!.rpId !== undefined && rpId !== undefined && t!.rpId !== rpId) refuse(S.CTAP2_ERR_PIN_AUTH_INVALID);
    if (rpId !== undefined && t!.rpId === undefined) t!.rpId = rpId; // bound on first use (§6.5.5.7)
    return true;
  }

  // ---------------------------------------------------------------------- makeCredential

  private async makeCredential(p: Params, ctx: RequestContext): Promise<Uint8Array> {
    const tamper = this.nextTamper;
    this.nextTamper = {};
    const clientDataHash = this.required<Uint8Array>(p, 0x01, isBytes);
    const rp = this.required<Params>(p, 0x02, isMap);
    const user = this.required<Params>(p, 0x03, isMap);
    const credParams = this.required<CborValue[]>(p, 0x04, Array.isArray);
    const rpId = rp.get('id');
    if (typeof rpId !== 'string') this.missing();
    const userId = user.get('id');
    if (!(userId instanceof Uint8Array)) this.missing();
    if ((userId as Uint8Array).length > 64) refuse(S.CTAP1_ERR_INVALID_LENGTH);
    const offered = credParams.filter((c): c is Params => c instanceof Map && c.get('type') === 'public-key').map((c) => c.get('alg'));
    const alg = this.algorithms.find((a) => offered.includes(a));
    if (alg === undefined) refuse(S.CTAP2_ERR_UNSUPPORTED_ALGORITHM);
    const options = this.optional<Params>(p, 0x07, isMap) ?? new Map();
    const rk = options.get('rk') === true;
    if (rk && !this.features.rk) refuse(S.CTAP2_ERR_UNSUPPORTED_OPTION);
    if (options.get('up') === false) refuse(S.CTAP2_ERR_INVALID_OPTION);
    const uvOption = options.get('uv') === true;
    if (uvOption && !this.features.uv) refuse(S.CTAP2_ERR_INVALID_OPTION);
    let uv = this.checkPinUvAuth(p, 0x08, 0x09, clientDataHash, PERMISSION.mc, rpId as string);
    if (!uv && uvOption) uv = true; // built-in user verification, done by the key itself
    // with a PIN set, a resident credential (or any, on a CTAP 2.0 key) needs user verification
    if (!uv && this.pinIsSet && (rk || !this.ctap21)) refuse(S.CTAP2_ERR_PUAT_REQUIRED);
    const rpIdHash = sha256(rpId as string);
    const exclude = this.optional<CborValue[]>(p, 0x05, Array.isArray) ?? [];
    for (const d of exclude) {
      const id = d instanceof Map ? d.get('id') : undefined;
      const c = id instanceof Uint8Array ? this.credentials.get(toBase64url(id)) : undefined;
      if (c && eq(c.rpIdHash, rpIdHash) && (c.credProtect < 3 || uv || this.faults.credProtectNotEnforced)) {
        await ctx.userPresence();
        refuse(S.CTAP2_ERR_CREDENTIAL_EXCLUDED);
      }
    }
    const ext = this.optional<Params>(p, 0x06, isMap) ?? new Map();
    const enterprise = this.optional<number>(p, 0x0a, isUint);
    await ctx.userPresence();
    // the credential
    const { privateKey, publicKeyCose } = generateCredentialKey(alg!, { eddsaCurve: this.features.eddsaCurve });
    const id = new Uint8Array(crypto.randomBytes(this.faults.shortCredentialId ? 8 : 32));
    const userHandle = userId as Uint8Array;
    const hmac = this.features.hmacSecret && ext.get('hmac-secret') === true;
    const cpLevel = this.features.credProtect && typeof ext.get('credProtect') === 'number' ? Math.min(3, Math.max(1, ext.get('credProtect') as number)) : 1;
    const cred: SoftCredential = {
      id, alg: alg!, privateKey, publicKeyCose, rpId: rpId as string, rpIdHash, rpName: typeof rp.get('name') === 'string' ? (rp.get('name') as string) : undefined,
      userHandle, userName: str(user.get('name')), userDisplayName: str(user.get('displayName')),
      signCount: 0, discoverable: rk, credProtect: cpLevel, created: ++this.sequence,
      credRandomWithUv: hmac ? new Uint8Array(crypto.randomBytes(32)) : undefined,
      credRandomWithoutUv: hmac ? new Uint8Array(crypto.randomBytes(32)) : undefined,
    };
    if (rk) {
      const sameUser = (c: SoftCredential) => c.discoverable && eq(c.rpIdHash, rpIdHash) && eq(c.userHandle, userHandle);
      if ([...this.credentials.values()].filter((c) => c.discoverable && !sameUser(c)).length >= this.features.residentCapacity) refuse(S.CTAP2_ERR_KEY_STORE_FULL);
      // CTAP 2.1 §6.1.2 step 17: a resident credential for the same (rpId, user handle) replaces the old one
      for (const [k, c] of this.credentials) if (sameUser(c) || (this.faults.singleResidentSlot && c.discoverable && eq(c.rpIdHash, rpIdHash))) this.credentials.delete(k);
    }
    const authExt = new Map<string, CanonicalValue>();
    if (this.features.credProtect && ext.has('credProtect')) authExt.set('credProtect', cpLevel);
    if (this.features.credBlob && ext.get('credBlob') instanceof Uint8Array) {
      const blob = ext.get('credBlob') as Uint8Array;
      const fits = blob.length <= 32;
      if (fits) cred.credBlob = blob;
      authExt.set('credBlob', fits);
    }
    if (hmac) authExt.set('hmac-secret', true);
    if (this.features.minPinLength && ext.get('minPinLength') === true) authExt.set('minPinLength', this.features.minPinLength);
    let largeBlobKey: Uint8Array | undefined;
    if (this.features.largeBlob && ext.get('largeBlobKey') === true) {
      if (!rk) refuse(S.CTAP2_ERR_INVALID_OPTION);
      largeBlobKey = cred.largeBlobKey = new Uint8Array(crypto.randomBytes(32));
    }
    if (this.faults.residentNotStored && rk) cred.discoverable = false; // silently
    this.credentials.set(toBase64url(id), cred);
    const counter = tamper.signCount ?? (this.features.counter === 'global' ? this.globalCounter : 0);
    const aaguid = this.faults.aaguidMismatch ? Uint8Array.from(this.aaguid, (b, i) => (i === 15 ? b ^ 0xff : b)) : this.aaguid;
    // kty is the first map entry (a5 01 02 for EC2): relabelled (wrongCoseKeyType) without touching the rest
    const cose = this.faults.wrongCoseKeyType ? Uint8Array.from(publicKeyCose, (b, i) => (i === 2 ? (b === 2 ? 1 : 2) : b)) : publicKeyCose;
    const acd = Uint8Array.from([...aaguid, id.length >> 8, id.length & 0xff, ...id, ...cose]);
    const extBytes = authExt.size ? encodeCanonical(authExt) : undefined;
    const flags = this.flags(tamper, uv) | 0x40 | (extBytes ? 0x80 : 0);
    const authData = this.authData(tamper.rpId ? sha256(tamper.rpId) : rpIdHash, flags, counter, Uint8Array.from([...acd, ...(extBytes ?? [])]));
    const signedData = Uint8Array.from([...authData, ...clientDataHash]);
    const useEnterprise = enterprise !== undefined && this.enterprise?.rpIds.includes(rpId as string);
    const material: AttestationMaterial = useEnterprise ? { kind: 'packed-full', key: this.enterprise!.key, x5c: this.enterprise!.x5c } : this.attestation;
    let u2fData: Uint8Array | undefined;
    if (material.kind === 'fido-u2f') {
      if (alg !== COSE_ALG.ES256) refuse(S.CTAP2_ERR_UNSUPPORTED_ALGORITHM);
      const jwk = privateKey.export({ format: 'jwk' });
      u2fData = Uint8Array.from([0, ...authData.subarray(0, 32), ...clientDataHash, ...id, 4, ...Buffer.from(jwk.x!, 'base64url'), ...Buffer.from(jwk.y!, 'base64url')]);
    }
    const st = attestationStatement({ material, alg: alg!, credentialKey: privateKey, signedData, u2fData, corruptSignature: tamper.bogusSignature || this.faults.bogusAttestationSignature, signWithCredentialKey: this.faults.attestationSignedByCredentialKey, outOfOrder: this.faults.nonCanonicalCbor });
    this.changed();
    const body = new Map<number, CanonicalValue>([[0x01, st.fmt], [0x02, authData], [0x03, st.attStmt]]);
    if (useEnterprise) body.set(0x04, true);
    if (largeBlobKey) body.set(0x05, largeBlobKey);
    return ok(body);
  }

  private flags(t: DeviceTamper, uv: boolean): number {
    let f = t.clearUP ? 0 : 0x01;
    if ((uv || t.setUV) && !t.clearUV) f |= 0x04;
    if (this.faults.uvWithoutVerification) f |= 0x04;
    if (this.faults.noUP) f &= ~0x01;
    if (this.faults.bsWithoutBe) f = (f | 0x10) & ~0x08;
    return f;
  }

  private authData(rpIdHash: Uint8Array, flags: number, counter: number, rest?: Uint8Array): Uint8Array {
    const head = new Uint8Array(37);
    head.set(this.faults.wrongRpIdHash ? sha256(Buffer.concat([Buffer.from('evil:'), Buffer.from(rpIdHash)])) : rpIdHash, 0);
    head[32] = flags;
    new DataView(head.buffer).setUint32(33, counter >>> 0);
    let body = rest;
    if (body && flags & 0x40) {
      // attested credential data: AAGUID 16 | credentialIdLength 2 | credentialId | COSE key …
      if (this.faults.coseKeyMiscounted) {
        body = Uint8Array.from(body);
        const at = 18 + ((body[16]! << 8) | body[17]!);
        body[at] = body[at]! + 1; // the COSE map claims one more entry than it has
      }
      if (this.faults.truncatedAaguid) body = body.subarray(0, 10);
    }
    const out = body ? Uint8Array.from([...head, ...body]) : head;
    // trailingCbor: an empty CBOR map after the last field, the ED flag left clear (signed over, as a key would)
    return this.faults.trailingCbor ? Uint8Array.from([...out, 0xa0]) : out;
  }

  // ---------------------------------------------------------------------- getAssertion

  private async getAssertion(p: Params, ctx: RequestContext): Promise<Uint8Array> {
    const tamper = this.nextTamper;
    this.nextTamper = {};
    const rpId = this.required<string>(p, 0x01, (v) => typeof v === 'string');
    const clientDataHash = this.required<Uint8Array>(p, 0x02, isBytes);
    const allow = this.optional<CborValue[]>(p, 0x03, Array.isArray) ?? [];
    const ext = this.optional<Params>(p, 0x04, isMap);
    const options = this.optional<Params>(p, 0x05, isMap) ?? new Map();
    const up = options.get('up') !== false;
    const uvOption = options.get('uv') === true;
    if (uvOption && !this.features.uv) refuse(S.CTAP2_ERR_UNSUPPORTED_OPTION);
    if (options.get('rk') !== undefined) refuse(S.CTAP2_ERR_UNSUPPORTED_OPTION);
    const pinUv = this.checkPinUvAuth(p, 0x06, 0x07, clientDataHash, PERMISSION.ga, rpId);
    const uv = pinUv || uvOption;
    const rpIdHash = sha256(rpId);
    let list: SoftCredential[];
    if (allow.length) {
      const ids = allow.map((d) => (d instanceof Map ? d.get('id') : undefined)).filter((x): x is Uint8Array => x instanceof Uint8Array);
      list = ids.map((id) => this.credentials.get(toBase64url(id))).filter((c): c is SoftCredential => !!c && eq(c.rpIdHash, rpIdHash));
    } else {
      list = [...this.credentials.values()].filter((c) => c.discoverable && eq(c.rpIdHash, rpIdHash)).sort((a, b) => b.created - a.created);
    }
    // credProtect (CTAP 2.1 §12.1): level 3 only with UV; level 2 without UV only through the allow list
    if (!uv && !this.faults.credProtectNotEnforced) list = list.filter((c) => c.credProtect === 1 || (c.credProtect === 2 && allow.length > 0));
    if (up) await ctx.userPresence();
    if (!list.length) refuse(S.CTAP2_ERR_NO_CREDENTIALS);
    const first = list[0]!;
    if (!allow.length && list.length > 1) {
      this.pendingAssertions = { list: list.slice(1), rpId, clientDataHash, uv, up, expires: Date.now() + 30_000, extensions: ext, pinUv };
    } else this.pendingAssertions = undefined;
    return ok(this.assertion(first, { rpIdHash, clientDataHash, uv, up, ext, tamper, numberOfCredentials: !allow.length && list.length > 1 ? list.length : undefined, allowListUsed: allow.length > 0 }));
  }

  private getNextAssertion(): Uint8Array {
    const pend = this.pendingAssertions;
    if (!pend || Date.now() > pend.expires || !pend.list.length) {
      this.pendingAssertions = undefined;
      return status(S.CTAP2_ERR_NOT_ALLOWED);
    }
    const next = pend.list.shift()!;
    return ok(this.assertion(next, { rpIdHash: sha256(pend.rpId), clientDataHash: pend.clientDataHash, uv: pend.uv, up: pend.up, ext: pend.extensions, tamper: {}, allowListUsed: false }));
  }

  private assertion(cred: SoftCredential, o: { rpIdHash: Uint8Array; clientDataHash: Uint8Array; uv: boolean; up: boolean; ext?: Params; tamper: DeviceTamper; numberOfCredentials?: number; allowListUsed: boolean }): Map<number, CanonicalValue> {
    if (this.features.counter === 'global') cred.signCount = this.globalCounter = this.globalCounter + 1;
    else cred.signCount += 1;
    if (this.faults.counterStuck) cred.signCount = 1;
    if (this.faults.counterBackwards) cred.signCount = cred.signCount <= 1 ? 10 : Math.max(0, 10 - cred.signCount);
    const authExt = new Map<string, CanonicalValue>();
    const hs = o.ext?.get('hmac-secret');
    if (hs instanceof Map && cred.credRandomWithUv) {
      const out = this.hmacSecret(cred, hs, o.uv);
      if (out) authExt.set('hmac-secret', out);
    }
    if (this.features.credBlob && o.ext?.get('credBlob') === true) authExt.set('credBlob', cred.credBlob ?? new Uint8Array());
    const extBytes = authExt.size ? encodeCanonical(authExt) : undefined;
    let flags = this.flags(o.tamper, o.uv) | (extBytes ? 0x80 : 0);
    if (!o.up) flags &= ~0x01;
    const authData = this.authData(o.tamper.rpId ? sha256(o.tamper.rpId) : cred.rpIdHash, flags, o.tamper.signCount ?? cred.signCount, extBytes);
    let sig = signWith(cred.alg, cred.privateKey, Uint8Array.from([...authData, ...o.clientDataHash]));
    if (o.tamper.bogusSignature) {
      sig = Uint8Array.from(sig);
      sig[sig.length - 1] = sig[sig.length - 1]! ^ 0x01;
    }
    this.changed();
    const body = new Map<number, CanonicalValue>([[0x01, { type: 'public-key', id: cred.id }], [0x02, authData], [0x03, sig]]);
    if (cred.discoverable) body.set(0x04, { id: cred.userHandle, ...(o.uv && cred.userName ? { name: cred.userName } : {}), ...(o.uv && cred.userDisplayName ? { displayName: cred.userDisplayName } : {}) });
    if (o.numberOfCredentials) body.set(0x05, o.numberOfCredentials);
    if (this.features.largeBlob && o.ext?.get('largeBlobKey') === true && cred.largeBlobKey) body.set(0x07, cred.largeBlobKey);
    return body;
  }

  /** hmac-secret (CTAP 2.1 §12.5): salts decrypted with the shared secret, HMAC with CredRandom, output encrypted back. */
  private hmacSecret(cred: SoftCredential, input: Params, uv: boolean): Uint8Array | undefined {
    const version = typeof input.get(4) === 'number' ? (input.get(4) as number) : 1;
    const protocol = pinProtocol(version);
    const saltEnc = input.get(2);
    const saltAuth = input.get(3);
    if (!protocol || !this.features.pinProtocols.includes(version as 1 | 2) || !(saltEnc instanceof Uint8Array) || !(saltAuth instanceof Uint8Array)) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
    let shared: Uint8Array;
    try {
      shared = protocol!.kdf(ecdh(this.keyAgreement.privateKey, coseToPublicKey(input.get(1), 'hmac-secret keyAgreement')));
    } catch {
      return refuse(S.CTAP1_ERR_INVALID_PARAMETER);
    }
    if (!protocol!.verify(shared, saltEnc as Uint8Array, saltAuth as Uint8Array)) refuse(S.CTAP2_ERR_PIN_AUTH_INVALID);
    let salts: Uint8Array;
    try {
      salts = protocol!.decrypt(shared, saltEnc as Uint8Array);
    } catch {
      return refuse(S.CTAP1_ERR_INVALID_LENGTH);
    }
    if (salts.length !== 32 && salts.length !== 64) refuse(S.CTAP1_ERR_INVALID_LENGTH);
    const key = this.faults.hmacUnstable ? new Uint8Array(crypto.randomBytes(32)) : uv && !this.faults.hmacSameWithAndWithoutUv ? cred.credRandomWithUv! : cred.credRandomWithoutUv!;
    const mac = (s: Uint8Array) => new Uint8Array(crypto.createHmac('sha256', key).update(s).digest());
    const out1 = mac(salts.subarray(0, 32));
    const out = salts.length === 64 ? Uint8Array.from([...out1, ...(this.faults.hmacIgnoresSecondSalt ? out1 : mac(salts.subarray(32)))]) : out1;
    return protocol!.encrypt(shared, out);
  }

  // ---------------------------------------------------------------------- clientPIN

  private async clientPin(p: Params, ctx: RequestContext): Promise<Uint8Array> {
    const version = this.required<number>(p, 0x01, isUint);
    const sub = this.required<number>(p, 0x02, isUint);
    if (sub !== PIN_SUB.getPINRetries && !this.features.pinProtocols.includes(version as 1 | 2)) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
    const protocol = pinProtocol(version);
    const shared = () => {
      const peer = p.get(0x03);
      if (peer === undefined) this.missing();
      try {
        return protocol!.kdf(ecdh(this.keyAgreement.privateKey, coseToPublicKey(peer!, 'keyAgreement')));
      } catch {
        return refuse(S.CTAP1_ERR_INVALID_PARAMETER);
      }
    };
    switch (sub) {
      case PIN_SUB.getPINRetries:
        return ok(new Map<number, CanonicalValue>([[0x03, this.pinRetries], ...(this.ctap21 ? [[0x04, false] as [number, CanonicalValue]] : [])]));
      case PIN_SUB.getKeyAgreement:
        return ok(new Map<number, CanonicalValue>([[0x01, this.keyAgreement.cose as Map<number, CanonicalValue>]]));
      case PIN_SUB.getUVRetries:
        if (!this.features.uv) refuse(S.CTAP2_ERR_INVALID_SUBCOMMAND);
        return ok(new Map([[0x05, 8]]));
      case PIN_SUB.setPIN: {
        if (!this.pinSupported) refuse(S.CTAP2_ERR_INVALID_SUBCOMMAND);
        if (this.pinIsSet) refuse(S.CTAP2_ERR_PIN_AUTH_INVALID);
        const key = shared();
        const newPinEnc = this.required<Uint8Array>(p, 0x05, isBytes);
        const auth = this.required<Uint8Array>(p, 0x04, isBytes);
        if (!protocol!.verify(key, newPinEnc, auth)) refuse(S.CTAP2_ERR_PIN_AUTH_INVALID);
        this.setPinFrom(protocol!, key, newPinEnc);
        return ok();
      }
      case PIN_SUB.changePIN: {
        if (!this.pinIsSet) refuse(S.CTAP2_ERR_PIN_NOT_SET);
        if (this.pinRetries <= 0) refuse(S.CTAP2_ERR_PIN_BLOCKED);
        const key = shared();
        const newPinEnc = this.required<Uint8Array>(p, 0x05, isBytes);
        const pinHashEnc = this.required<Uint8Array>(p, 0x06, isBytes);
        const auth = this.required<Uint8Array>(p, 0x04, isBytes);
        if (!protocol!.verify(key, Uint8Array.from([...newPinEnc, ...pinHashEnc]), auth)) refuse(S.CTAP2_ERR_PIN_AUTH_INVALID);
        this.checkPin(protocol!, key, pinHashEnc);
        this.setPinFrom(protocol!, key, newPinEnc);
        return ok();
      }
      case PIN_SUB.getPinToken:
      case PIN_SUB.getPinUvAuthTokenUsingPinWithPermissions: {
        if (!this.pinIsSet) refuse(S.CTAP2_ERR_PIN_NOT_SET);
        if (this.pinRetries <= 0) refuse(S.CTAP2_ERR_PIN_BLOCKED);
        const withPermissions = sub === PIN_SUB.getPinUvAuthTokenUsingPinWithPermissions;
        if (withPermissions && !this.ctap21) refuse(S.CTAP2_ERR_INVALID_SUBCOMMAND);
        const permissions = withPermissions ? this.required<number>(p, 0x09, isUint) : PERMISSION.mc | PERMISSION.ga;
        if (withPermissions && permissions === 0) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
        const rpId = this.optional<string>(p, 0x0a, (v) => typeof v === 'string');
        const key = shared();
        this.checkPin(protocol!, key, this.required<Uint8Array>(p, 0x06, isBytes));
        return ok(new Map([[0x02, this.issueToken(protocol!, key, permissions, rpId, false)]]));
      }
      case PIN_SUB.getPinUvAuthTokenUsingUvWithPermissions: {
        if (!this.features.uv || !this.ctap21) refuse(S.CTAP2_ERR_INVALID_SUBCOMMAND);
        const permissions = this.required<number>(p, 0x09, isUint);
        if (permissions === 0) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
        const rpId = this.optional<string>(p, 0x0a, (v) => typeof v === 'string');
        const key = shared();
        await ctx.userPresence(); // the person puts a finger on the sensor
        return ok(new Map([[0x02, this.issueToken(protocol!, key, permissions, rpId, true)]]));
      }
      default:
        return refuse(S.CTAP2_ERR_INVALID_SUBCOMMAND);
    }
  }

  private setPinFrom(protocol: PinUvAuthProtocol, key: Uint8Array, newPinEnc: Uint8Array) {
    let padded: Uint8Array;
    try {
      padded = protocol.decrypt(key, newPinEnc);
    } catch {
      return refuse(S.CTAP1_ERR_INVALID_PARAMETER);
    }
    if (padded.length < 64) refuse(S.CTAP2_ERR_PIN_POLICY_VIOLATION);
    const end = padded.indexOf(0);
    const pin = Buffer.from(padded.subarray(0, end < 0 ? padded.length : end)).toString('utf8');
    if ([...pin].length < 4 || Buffer.byteLength(pin) > 63) refuse(S.CTAP2_ERR_PIN_POLICY_VIOLATION);
    this.pinHash = pinHashLeft16(pin);
    this.pinRetries = this.maxRetries();
    this.token = undefined;
    this.changed();
  }

  /** CTAP 2.1 §6.5.5.5: a wrong PIN costs a retry and the key agreement key; three in a row need a power cycle */
  private checkPin(protocol: PinUvAuthProtocol, key: Uint8Array, pinHashEnc: Uint8Array) {
    let given: Uint8Array | undefined;
    try {
      given = protocol.decrypt(key, pinHashEnc);
    } catch {
      given = undefined;
    }
    if (!this.faults.pinRetriesNotDecremented) this.pinRetries -= 1;
    if (!given || !this.pinHash || !eq(given, this.pinHash)) {
      this.keyAgreement = keyAgreementKeyPair();
      this.consecutivePinFailures += 1;
      this.changed();
      if (this.pinRetries <= 0) refuse(S.CTAP2_ERR_PIN_BLOCKED);
      if (this.consecutivePinFailures >= 3) refuse(S.CTAP2_ERR_PIN_AUTH_BLOCKED);
      refuse(S.CTAP2_ERR_PIN_INVALID);
    }
    this.pinRetries = this.maxRetries();
    this.consecutivePinFailures = 0;
    this.changed();
  }

  private issueToken(protocol: PinUvAuthProtocol, key: Uint8Array, permissions: number, rpId: string | undefined, viaUv: boolean): Uint8Array {
    const token = new Uint8Array(crypto.randomBytes(32));
    this.token = { token, protocol, permissions, rpId, viaUv };
    // pinProtocol2Broken: the token sent is not the one the key keeps
    const sent = this.faults.pinProtocol2Broken && protocol.version === 2 ? new Uint8Array(crypto.randomBytes(32)) : token;
    return protocol.encrypt(key, sent);
  }

  // ---------------------------------------------------------------------- credentialManagement

  private credentialManagement(p: Params): Uint8Array {
    const sub = this.required<number>(p, 0x01, isUint);
    const subParams = this.optional<Params>(p, 0x02, isMap);
    const needsAuth = sub !== CM_SUB.enumerateRPsGetNextRP && sub !== CM_SUB.enumerateCredentialsGetNextCredential;
    if (needsAuth) {
      const paramBytes = p.get(0x02) === undefined ? new Uint8Array() : encodeCanonical(toCanonical(p.get(0x02)!));
      if (p.get(0x04) === undefined) refuse(S.CTAP2_ERR_PUAT_REQUIRED);
      this.checkPinUvAuth(p, 0x04, 0x03, Uint8Array.from([sub, ...paramBytes]), PERMISSION.cm);
    }
    const discoverable = [...this.credentials.values()].filter((c) => c.discoverable);
    const rpGroups = new Map<string, SoftCredential[]>();
    for (const c of discoverable) rpGroups.set(toBase64url(c.rpIdHash), [...(rpGroups.get(toBase64url(c.rpIdHash)) ?? []), c]);
    switch (sub) {
      case CM_SUB.getCredsMetadata:
        return ok(new Map([[0x01, discoverable.length], [0x02, Math.max(0, this.features.residentCapacity - discoverable.length)]]));
      case CM_SUB.enumerateRPsBegin: {
        const rps = [...rpGroups.values()].map((cs) => cs[0]!);
        if (!rps.length) refuse(S.CTAP2_ERR_NO_CREDENTIALS);
        this.cmRps = rps.slice(1);
        return ok(new Map<number, CanonicalValue>([[0x03, rpEntity(rps[0]!)], [0x04, rps[0]!.rpIdHash], [0x05, rps.length]]));
      }
      case CM_SUB.enumerateRPsGetNextRP: {
        const next = this.cmRps?.shift();
        if (!next) refuse(S.CTAP2_ERR_NOT_ALLOWED);
        return ok(new Map<number, CanonicalValue>([[0x03, rpEntity(next!)], [0x04, next!.rpIdHash]]));
      }
      case CM_SUB.enumerateCredentialsBegin: {
        const hash = subParams?.get(0x01);
        if (!(hash instanceof Uint8Array)) this.missing();
        let creds = (rpGroups.get(toBase64url(hash as Uint8Array)) ?? []).sort((a, b) => a.created - b.created);
        if (this.faults.credMgmtMissesAccounts) creds = creds.slice(-1);
        if (!creds.length) refuse(S.CTAP2_ERR_NO_CREDENTIALS);
        this.cmCreds = creds.slice(1);
        return ok(credentialEntry(creds[0]!, creds.length));
      }
      case CM_SUB.enumerateCredentialsGetNextCredential: {
        const next = this.cmCreds?.shift();
        if (!next) refuse(S.CTAP2_ERR_NOT_ALLOWED);
        return ok(credentialEntry(next!));
      }
      case CM_SUB.deleteCredential: {
        const d = subParams?.get(0x02);
        const id = d instanceof Map ? d.get('id') : undefined;
        if (!(id instanceof Uint8Array)) this.missing();
        const k = toBase64url(id as Uint8Array);
        if (!this.credentials.get(k)?.discoverable) refuse(S.CTAP2_ERR_NO_CREDENTIALS);
        this.credentials.delete(k);
        this.changed();
        return ok();
      }
      case CM_SUB.updateUserInformation: {
        const d = subParams?.get(0x02);
        const id = d instanceof Map ? d.get('id') : undefined;
        const u = subParams?.get(0x03);
        if (!(id instanceof Uint8Array) || !(u instanceof Map)) this.missing();
        const c = this.credentials.get(toBase64url(id as Uint8Array));
        if (!c?.discoverable) refuse(S.CTAP2_ERR_NO_CREDENTIALS);
        if (!(u as Params).get('id') || !eq((u as Params).get('id') as Uint8Array, c!.userHandle)) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
        c!.userName = str((u as Params).get('name'));
        c!.userDisplayName = str((u as Params).get('displayName'));
        this.changed();
        return ok();
      }
      default:
        return refuse(S.CTAP2_ERR_INVALID_SUBCOMMAND);
    }
  }
  private cmRps?: SoftCredential[];
  private cmCreds?: SoftCredential[];

  // ---------------------------------------------------------------------- largeBlobs

  private largeBlobs(p: Params): Uint8Array {
    const get = this.optional<number>(p, 0x01, isUint);
    const set = this.optional<Uint8Array>(p, 0x02, isBytes);
    const offset = this.required<number>(p, 0x03, isUint);
    if ((get === undefined) === (set === undefined)) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
    const maxFragment = this.features.maxMsgSize - 64;
    if (get !== undefined) {
      if (get > maxFragment) refuse(S.CTAP1_ERR_INVALID_LENGTH);
      if (offset > this.largeBlobArray.length) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
      return ok(new Map([[0x01, this.largeBlobArray.subarray(offset, offset + get)]]));
    }
    if (set!.length > maxFragment) refuse(S.CTAP1_ERR_INVALID_LENGTH);
    const length = this.optional<number>(p, 0x04, isUint);
    if (offset === 0) {
      if (length === undefined) this.missing();
      if (length! > 1024) refuse(S.CTAP2_ERR_LARGE_BLOB_STORAGE_FULL);
      if (length! < 17) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
      this.largeBlobWrite = { expected: length!, buf: [] };
    } else if (length !== undefined) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
    const w = this.largeBlobWrite;
    if (!w || offset !== w.buf.length) refuse(S.CTAP1_ERR_INVALID_SEQ);
    const off = Buffer.alloc(4);
    off.writeUInt32LE(offset);
    const message = Uint8Array.from([...new Uint8Array(32).fill(0xff), 0x0c, 0x00, ...off, ...sha256(set!)]);
    if (p.get(0x05) === undefined) refuse(S.CTAP2_ERR_PUAT_REQUIRED);
    this.checkPinUvAuth(p, 0x05, 0x06, message, PERMISSION.lbw);
    if (w!.buf.length + set!.length > w!.expected) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
    w!.buf.push(...set!);
    if (w!.buf.length === w!.expected) {
      const whole = Uint8Array.from(w!.buf);
      this.largeBlobWrite = undefined;
      if (!eq(sha256(whole.subarray(0, whole.length - 16)).subarray(0, 16), whole.subarray(whole.length - 16))) refuse(S.CTAP2_ERR_INTEGRITY_FAILURE);
      this.largeBlobArray = whole;
      this.changed();
    }
    return ok();
  }

  // ---------------------------------------------------------------------- CTAP1 / U2F

  /** U2F raw messages (FIDO U2F §4): VERSION, REGISTER, AUTHENTICATE; present when the profile keeps U2F. */
  get msg(): ((apdu: Uint8Array, ctx: RequestContext) => Promise<Uint8Array>) | undefined {
    return this.features.u2f || this.features.ctap === 'u2f-only' ? (apdu, ctx) => this.u2f(apdu, ctx) : undefined;
  }

  private async u2f(apdu: Uint8Array, ctx: RequestContext): Promise<Uint8Array> {
    const sw = (w: number, data: Uint8Array = new Uint8Array()) => Uint8Array.from([...data, w >> 8, w & 0xff]);
    if (apdu.length < 4) return sw(U2F_SW.WRONG_LENGTH);
    if (apdu[0] !== 0) return sw(U2F_SW.CLA_NOT_SUPPORTED);
    const ins = apdu[1]!;
    const p1 = apdu[2]!;
    let data: Uint8Array;
    if (apdu.length <= 5) data = new Uint8Array();
    else if (apdu[4] === 0 && apdu.length >= 7) {
      const lc = (apdu[5]! << 8) | apdu[6]!;
      if (7 + lc > apdu.length) return sw(U2F_SW.WRONG_LENGTH);
      data = apdu.subarray(7, 7 + lc);
    } else {
      const lc = apdu[4]!;
      if (5 + lc > apdu.length) return sw(U2F_SW.WRONG_LENGTH);
      data = apdu.subarray(5, 5 + lc);
    }
    switch (ins) {
      case 0x03:
        return sw(U2F_SW.NO_ERROR, new TextEncoder().encode('U2F_V2'));
      case 0x01: {
        if (data.length !== 64) return sw(U2F_SW.WRONG_LENGTH);
        if (!(await this.u2fTouch(ctx))) return sw(U2F_SW.CONDITIONS_NOT_SATISFIED);
        const chal = data.subarray(0, 32);
        const app = data.subarray(32, 64);
        const { privateKey, publicKeyCose } = generateCredentialKey(COSE_ALG.ES256);
        const jwk = privateKey.export({ format: 'jwk' });
        const point = Uint8Array.from([4, ...Buffer.from(jwk.x!, 'base64url'), ...Buffer.from(jwk.y!, 'base64url')]);
        const kh = new Uint8Array(crypto.randomBytes(64));
        this.credentials.set(toBase64url(kh), { id: kh, alg: COSE_ALG.ES256, privateKey, publicKeyCose, rpIdHash: app, userHandle: new Uint8Array(), signCount: 0, discoverable: false, credProtect: 1, u2f: true, created: ++this.sequence });
        const att = await this.u2fAttestation();
        const sig = new Uint8Array(crypto.sign('sha256', Uint8Array.from([0, ...app, ...chal, ...kh, ...point]), att.key));
        if (this.faults.u2fBogusRegisterSignature) sig[sig.length - 1]! ^= 0x01;
        this.changed();
        return sw(U2F_SW.NO_ERROR, Uint8Array.from([0x05, ...point, kh.length, ...kh, ...att.cert, ...sig]));
      }
      case 0x02: {
        if (data.length < 65 || data.length !== 65 + data[64]!) return sw(U2F_SW.WRONG_LENGTH);
        const chal = data.subarray(0, 32);
        const app = data.subarray(32, 64);
        const kh = data.subarray(65);
        const c = this.credentials.get(toBase64url(kh));
        // a CTAP2 credential works through U2F when it could have been a U2F one: ES256, not discoverable, no credProtect
        const usable = c && eq(c.rpIdHash, app) && c.alg === COSE_ALG.ES256 && !c.discoverable && c.credProtect === 1;
        if (!usable) return sw(U2F_SW.WRONG_DATA);
        if (p1 === 0x07) return sw(U2F_SW.CONDITIONS_NOT_SATISFIED);
        const touched = p1 === 0x08 ? false : await this.u2fTouch(ctx);
        if (p1 !== 0x08 && !touched) return sw(U2F_SW.CONDITIONS_NOT_SATISFIED);
        c!.signCount += 1;
        const counter = Buffer.alloc(4);
        counter.writeUInt32BE(c!.signCount);
        const up = touched ? 1 : 0;
        const sig = new Uint8Array(crypto.sign('sha256', Uint8Array.from([...app, up, ...counter, ...chal]), c!.privateKey));
        this.changed();
        return sw(U2F_SW.NO_ERROR, Uint8Array.from([up, ...counter, ...sig]));
      }
      default:
        return sw(U2F_SW.INS_NOT_SUPPORTED);
    }
  }

  /** U2F asks for presence by refusing until touched: a touch within 50 ms proceeds, else SW_CONDITIONS_NOT_SATISFIED while it is awaited. */
  private async u2fTouch(ctx: RequestContext): Promise<boolean> {
    if (Date.now() < this.u2fTouchedUntil) {
      this.u2fTouchedUntil = 0;
      return true;
    }
    if (!this.u2fPresence) {
      this.u2fPresence = ctx.userPresence().then(() => {
        this.u2fTouchedUntil = Date.now() + 10_000;
      }, () => {}).finally(() => {
        this.u2fPresence = undefined;
      });
    }
    await Promise.race([this.u2fPresence, new Promise((r) => setTimeout(r, 50))]);
    if (Date.now() < this.u2fTouchedUntil) {
      this.u2fTouchedUntil = 0;
      return true;
    }
    return false;
  }

  private u2fCert?: Promise<{ key: crypto.KeyObject; cert: Uint8Array }>;
  private async u2fAttestation(): Promise<{ key: crypto.KeyObject; cert: Uint8Array }> {
    const m = this.attestation;
    if ((m.kind === 'packed-full' || m.kind === 'fido-u2f') && m.key && m.x5c?.[0]) return { key: m.key, cert: m.x5c[0] };
    // no batch certificate configured: U2F needs one, so a self-made one stands in
    this.u2fCert ??= selfSignedU2fCert();
    return this.u2fCert;
  }

  wink() {}

  /** what --state keeps besides the credentials */
  exportInternals(): { pin?: { hash: string; retries: number }; counter: number; largeBlobArray: Uint8Array } {
    return { pin: this.pinHash ? { hash: Buffer.from(this.pinHash).toString('hex'), retries: this.pinRetries } : undefined, counter: this.globalCounter, largeBlobArray: this.largeBlobArray };
  }

  importInternals(s: { pin?: { hash: string; retries: number }; counter: number; largeBlobArray: Uint8Array }): void {
    this.pinHash = s.pin ? new Uint8Array(Buffer.from(s.pin.hash, 'hex')) : undefined;
    this.pinRetries = s.pin?.retries ?? 8;
    this.globalCounter = s.counter;
    this.largeBlobArray = s.largeBlobArray;
    this.sequence = Math.max(this.sequence, ...[...this.credentials.values()].map((c) => c.created));
  }

  private changed() {
    this.onChange?.();
  }
}

/** A self-signed U2F attestation certificate for a key that has no batch certificate configured. */
async function selfSignedU2fCert(): Promise<{ key: crypto.KeyObject; cert: Uint8Array }> {
  const x509 = peculiarX509();
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = (await crypto.webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: '01', name: 'CN=fido2-harness U2F, O=fido2-harness', notBefore: new Date(Date.UTC(2020, 0, 1)), notAfter: new Date(Date.UTC(2049, 11, 31)), signingAlgorithm: alg, keys });
  const pkcs8 = Buffer.from(await crypto.webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { key: crypto.createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }), cert: new Uint8Array(cert.rawData) };
}

const isBytes = (v: CborValue) => v instanceof Uint8Array;
const isMap = (v: CborValue) => v instanceof Map;
const isUint = (v: CborValue) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const str = (v: CborValue | undefined) => (typeof v === 'string' ? v : undefined);

function rpEntity(c: SoftCredential): CanonicalValue {
  return { id: c.rpId ?? '', ...(c.rpName ? { name: c.rpName } : {}) };
}

function credentialEntry(c: SoftCredential, total?: number): Map<number, CanonicalValue> {
  const m = new Map<number, CanonicalValue>([
    [0x06, { id: c.userHandle, ...(c.userName ? { name: c.userName } : {}), ...(c.userDisplayName ? { displayName: c.userDisplayName } : {}) }],
    [0x07, { type: 'public-key', id: c.id }],
    [0x08, new RawCbor(c.publicKeyCose)],
    [0x0a, c.credProtect],
  ]);
  if (total !== undefined) m.set(0x09, total);
  if (c.largeBlobKey) m.set(0x0b, c.largeBlobKey);
  return m;
}

/** A decoded CBOR value back into the encoder's terms (to recompute what the platform signed). */
function toCanonical(v: CborValue): CanonicalValue {
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, toCanonical(x)]));
  if (Array.isArray(v)) return v.map(toCanonical);
  if (v === undefined) return null;
  return v as CanonicalValue;
}

export type { CoseKeyAgreement };
