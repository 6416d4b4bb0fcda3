import crypto from 'node:crypto';
import type { CborValue } from '../cbor/decodeCbor.ts';
import { encodeCanonical, RawCbor, type CanonicalValue } from '../cbor/encodeCanonical.ts';
import { fromBase64url, toBase64url } from '../encoding/base64url.ts';
import { parseAuthenticatorData } from '../webauthn/parseAuthenticatorData.ts';
import type { CtapDevice } from '../ctap/CtapDevice.ts';
import { CtapError } from '../ctap/CtapError.ts';
import { CRED_PROTECT, PERMISSION, KEEPALIVE } from '../ctap/constants.ts';
import { CTAP_STATUS } from '../ctap/status.ts';
import { ClientPin, pinUvAuthParam, sha256, type PinUvAuthToken } from '../ctap/ctap2/clientPin.ts';
import { PIN_PROTOCOL_1 } from '../ctap/ctap2/pinProtocol.ts';
import { LargeBlobs, openLargeBlob, parseLargeBlobArray, sealLargeBlob, serializeLargeBlobArray } from '../ctap/ctap2/largeBlobs.ts';
import type { GetAssertionResult, MakeCredentialResult } from '../ctap/ctap2/Ctap2Client.ts';
import { U2fError } from '../ctap/ctap1/Ctap1Client.ts';
import type { CallOptions } from '../ctap/connection/CallOptions.ts';
import { HarnessError } from '../errors/HarnessError.ts';
import { WebAuthnClientError, fromCtapStatus } from './WebAuthnClientError.ts';

type Json = Record<string, any>;

export interface ClientDataOverride {
  origin?: string;
  challenge?: string;
  type?: string;
}

export interface WebAuthnClientOptions {
  device: CtapDevice;
  /** the PIN, asked for only when user verification needs it; never logged, never stored */
  pin?: () => string | undefined | Promise<string | undefined>;
  /** which of several discoverable accounts the person picks (the browser's account chooser); default the first */
  chooseAccount?: (accounts: { id: Uint8Array; name?: string; displayName?: string; credentialId: Uint8Array }[]) => number | Promise<number>;
  /** "touch the key now": the device sent KEEPALIVE UP_NEEDED */
  onTouch?: () => void;
  /** how long a ceremony may wait for a touch */
  userPresenceTimeoutMs?: number;
  /** how the key is reported in transports when getInfo names none */
  defaultTransports?: string[];
}

export interface CeremonyExtras {
  /** a hostile or broken client: what it puts in clientDataJSON instead */
  clientData?: ClientDataOverride;
  signal?: AbortSignal;
}

const te = new TextEncoder();
const PRF_PREFIX = te.encode('WebAuthn PRF\x00');
const prfSalt = (salt: Uint8Array) => sha256(Uint8Array.from([...PRF_PREFIX, ...salt]));

/** WebAuthn L3 §5.1.3 step 7: the RP ID must be the origin's host or a registrable suffix of it. */
export function rpIdAllowedFor(origin: string, rpId: string): boolean {
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return false;
  }
  const host = u.hostname.toLowerCase();
  const id = rpId.toLowerCase();
  if (!/^[a-z0-9.-]+$/.test(id) || /^\d+(\.\d+){3}$/.test(id)) return host === id;
  return host === id || host.endsWith(`.${id}`);
}

/**
 * What a browser does with a security key, over CTAP (CTAP 2.1 §§6, 10, 12; WebAuthn L3 §5.1.3,
 * §5.1.4): builds clientDataJSON, checks the RP ID, maps options and extensions onto CTAP
 * (prf and hmac-secret with the PIN protocol's shared-secret encryption, credProtect, credBlob,
 * largeBlob through largeBlobKey, minPinLength, credProps), gets a pinUvAuthToken when user
 * verification is asked for, falls back to U2F for CTAP1-only keys, and returns the same
 * RegistrationResponseJSON / AuthenticationResponseJSON a browser would, so the RP server, the
 * analysis and the checks cannot tell the difference.
 */
export class WebAuthnClient {
  readonly device: CtapDevice;
  private readonly o: WebAuthnClientOptions;

  constructor(o: WebAuthnClientOptions) {
    this.device = o.device;
    this.o = o;
  }

  private call(extra?: CeremonyExtras): CallOptions {
    return {
      signal: extra?.signal,
      userPresenceTimeoutMs: this.o.userPresenceTimeoutMs,
      onKeepalive: (s) => {
        if (s === KEEPALIVE.UP_NEEDED) this.o.onTouch?.();
      },
    };
  }

  private clientData(type: string, challenge: string, origin: string, x?: ClientDataOverride): Uint8Array {
    // member order as Chromium writes it: type, challenge, origin, crossOrigin
    return te.encode(JSON.stringify({ type: x?.type ?? type, challenge: x?.challenge ?? challenge, origin: x?.origin ?? origin, crossOrigin: false }));
  }

  private get info() {
    return this.device.info;
  }

  /** A pinUvAuthToken for these permissions: built-in UV when the key has it, else the PIN. */
  private async token(permissions: number, rpId: string, need: 'required' | 'preferred', extra?: CeremonyExtras): Promise<PinUvAuthToken | 'uv-option' | undefined> {
    const info = this.info!;
    const protocol = ClientPin.preferred(info);
    if (info.options.uv === true) {
      if (protocol && info.options.pinUvAuthToken === true) return new ClientPin(this.device.ctap2!, protocol).tokenUsingUv(permissions, rpId, this.call(extra)).catch((e) => this.ctapFailure('user verification', e));
      return 'uv-option'; // CTAP 2.0 style: the "uv" option on the command itself
    }
    if (info.options.clientPin === true && protocol) {
      const pin = await this.o.pin?.();
      if (pin === undefined) {
        if (need === 'preferred') return undefined;
        throw new WebAuthnClientError('NotAllowedError', 'this key needs its PIN for user verification and none was given (--pin-env, or the prompt)');
      }
      const cp = new ClientPin(this.device.ctap2!, protocol);
      try {
        return info.versions.includes('FIDO_2_1') || info.options.pinUvAuthToken === true ? await cp.tokenUsingPin(pin, permissions, rpId, this.call(extra)) : await cp.getPinToken(pin, this.call(extra));
      } catch (e) {
        if (e instanceof CtapError && e.ctapStatus === CTAP_STATUS.CTAP2_ERR_PIN_INVALID) {
          const left = await cp.getRetries(this.call(extra)).then((r) => r.retries, () => undefined);
          throw fromCtapStatus('PIN verification', e.ctapStatus, left === undefined ? '' : `, ${left} retries left`);
        }
        return this.ctapFailure('PIN verification', e);
      }
    }
    if (need === 'required') {
      throw new WebAuthnClientError('NotAllowedError', info.options.clientPin === false ? 'user verification is required and the key has no PIN set (set one with the vendor\'s tool, or fido2-harness check --ctap --set-pin)' : 'user verification is required and the key has neither built-in verification nor a client PIN');
    }
    return undefined;
  }

  private ctapFailure(what: string, e: unknown): never {
    if (e instanceof CtapError) throw fromCtapStatus(what, e.ctapStatus);
    if (e instanceof U2fError) throw new WebAuthnClientError('NotAllowedError', `${what}: ${e.message}`);
    if (e instanceof HarnessError && e.code === 'DEVICE_CANCELLED') throw new WebAuthnClientError('AbortError', e.message);
    throw e;
  }

  /** navigator.credentials.create({publicKey}) with options JSON (binary as base64url). */
  async create(options: Json, origin: string, extra: CeremonyExtras = {}): Promise<Json> {
    const rpId: string = options.rp?.id ?? new URL(origin).hostname;
    if (!rpIdAllowedFor(origin, rpId)) throw new WebAuthnClientError('SecurityError', `the RP ID "${rpId}" is not this origin's host (${origin}) or a parent domain of it`);
    const clientDataJSON = this.clientData('webauthn.create', options.challenge, origin, extra.clientData);
    const clientDataHash = sha256(clientDataJSON);
    const params: { type: 'public-key'; alg: number }[] = (options.pubKeyCredParams?.length ? options.pubKeyCredParams : [{ type: 'public-key', alg: -7 }, { type: 'public-key', alg: -257 }]).filter((p: Json) => p.type === 'public-key').map((p: Json) => ({ type: 'public-key', alg: p.alg }));
    const sel: Json = options.authenticatorSelection ?? {};
    const ext: Json = options.extensions ?? {};
    if (!this.device.ctap2) return this.createU2f(options, rpId, clientDataJSON, params, sel, extra);
    const info = this.info!;
    const rkRequired = sel.residentKey === 'required' || sel.requireResidentKey === true;
    if (rkRequired && info.options.rk !== true) throw new WebAuthnClientError('NotSupportedError', 'a discoverable credential (resident key) is required and this key does not store them (getInfo options.rk)');
    const rk = rkRequired || (sel.residentKey === 'preferred' && info.options.rk === true);
    const uvNeed: 'required' | 'preferred' | 'discouraged' = sel.userVerification ?? 'preferred';
    const exts = new Map<string, CanonicalValue>();
    const has = (e: string) => info.extensions.includes(e);
    const wantsHmac = (ext.hmacCreateSecret === true || ext.prf !== undefined) && has('hmac-secret');
    if (wantsHmac) exts.set('hmac-secret', true);
    const policy = ext.credentialProtectionPolicy as keyof typeof CRED_PROTECT | undefined;
    if (policy && CRED_PROTECT[policy]) {
      if (has('credProtect')) exts.set('credProtect', CRED_PROTECT[policy]);
      else if (ext.enforceCredentialProtectionPolicy === true && CRED_PROTECT[policy] > 1) throw new WebAuthnClientError('NotAllowedError', 'credProtect is enforced and this key does not support it');
    }
    if (typeof ext.credBlob === 'string' && has('credBlob')) exts.set('credBlob', fromBase64url(ext.credBlob, 'extensions.credBlob'));
    if (ext.minPinLength === true && has('minPinLength')) exts.set('minPinLength', true);
    const wantsLargeBlob = ext.largeBlob?.support !== undefined;
    const largeBlobOk = wantsLargeBlob && info.options.largeBlobs === true && rk;
    if (wantsLargeBlob && ext.largeBlob.support === 'required' && !largeBlobOk) throw new WebAuthnClientError('NotSupportedError', 'largeBlob support is required and this key cannot store large blobs for this credential');
    if (largeBlobOk) exts.set('largeBlobKey', true);
    const exclude = (options.excludeCredentials ?? []).map((c: Json) => ({ type: 'public-key' as const, id: fromBase64url(c.id, 'excludeCredentials[].id') }));
    const call = this.call(extra);
    const send = async (token: PinUvAuthToken | 'uv-option' | undefined) =>
      this.device.ctap2!.makeCredential({
        clientDataHash,
        rp: { id: rpId, name: options.rp?.name ?? rpId },
        user: { id: fromBase64url(options.user?.id, 'user.id'), name: options.user?.name, displayName: options.user?.displayName },
        pubKeyCredParams: params,
        excludeList: exclude,
        extensions: exts,
        options: { rk: rk || undefined, uv: token === 'uv-option' ? true : undefined },
        ...(token && token !== 'uv-option' ? { pinUvAuthParam: pinUvAuthParam(token, clientDataHash), pinUvAuthProtocol: token.protocol.version } : {}),
        ...(options.attestation === 'enterprise' && info.options.ep !== undefined ? { enterpriseAttestation: 1 } : {}),
      }, call);
    let token = uvNeed === 'discouraged' ? undefined : await this.token(PERMISSION.mc, rpId, uvNeed, extra);
    let r: MakeCredentialResult;
    try {
      r = await send(token);
    } catch (e) {
      // a key with a PIN set may insist on a token even when no verification was asked for
      if (e instanceof CtapError && e.ctapStatus === CTAP_STATUS.CTAP2_ERR_PUAT_REQUIRED && !token) {
        token = await this.token(PERMISSION.mc, rpId, 'required', extra);
        r = await send(token).catch((e2) => this.ctapFailure('makeCredential', e2));
      } else return this.ctapFailure('makeCredential', e);
    }
    const authDataRaw = r.authData;
    let authData = authDataRaw;
    let fmt = r.fmt;
    let attStmt: RawCbor = new RawCbor(r.attStmtRaw);
    if ((options.attestation ?? 'none') === 'none' && r.fmt !== 'none') {
      // WebAuthn L3 §5.1.3 step 20 ("none"): the client drops the statement and, as Chromium does
      // for roaming keys, zeroes the AAGUID (nothing signs authData in format "none")
      fmt = 'none';
      attStmt = new RawCbor(Uint8Array.of(0xa0));
      authData = zeroAaguid(authDataRaw);
    }
    const attestationObject = encodeCanonical(new Map<string, CanonicalValue>([['fmt', fmt], ['attStmt', attStmt], ['authData', authData]]));
    const parsed = safeAuthData(authDataRaw);
    const credentialId = parsed?.attestedCredentialData?.credentialId;
    if (!credentialId) throw new WebAuthnClientError('UnknownError', 'makeCredential answered authenticator data without attested credential data');
    const clientExt: Json = {};
    if (ext.credProps) clientExt.credProps = { rk };
    if (ext.prf !== undefined) clientExt.prf = { enabled: parsed?.extensions?.get('hmac-secret') === true };
    if (ext.hmacCreateSecret) clientExt.hmacCreateSecret = parsed?.extensions?.get('hmac-secret') === true;
    if (wantsLargeBlob) clientExt.largeBlob = { supported: largeBlobOk && !!r.largeBlobKey };
    const id = toBase64url(credentialId);
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: { clientDataJSON: toBase64url(clientDataJSON), attestationObject: toBase64url(attestationObject), transports: this.transports() },
      clientExtensionResults: clientExt,
      authenticatorAttachment: 'cross-platform',
    };
  }

  private transports(): string[] {
    const t = this.info?.transports ?? [];
    return t.length ? [...t] : (this.o.defaultTransports ?? ['usb']);
  }

  /** navigator.credentials.get({publicKey}) with options JSON. */
  async get(options: Json, origin: string, extra: CeremonyExtras = {}): Promise<Json> {
    const rpId: string = options.rpId ?? new URL(origin).hostname;
    if (!rpIdAllowedFor(origin, rpId)) throw new WebAuthnClientError('SecurityError', `the RP ID "${rpId}" is not this origin's host (${origin}) or a parent domain of it`);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, origin, extra.clientData);
    const clientDataHash = sha256(clientDataJSON);
    const allow = (options.allowCredentials ?? []).map((c: Json) => ({ type: 'public-key' as const, id: fromBase64url(c.id, 'allowCredentials[].id') }));
    const ext: Json = options.extensions ?? {};
    if (!this.device.ctap2) return this.getU2f(options, rpId, clientDataJSON, allow, extra);
    const info = this.info!;
    const has = (e: string) => info.extensions.includes(e);
    const uvNeed: 'required' | 'preferred' | 'discouraged' = options.userVerification ?? 'preferred';
    const lb = ext.largeBlob as { read?: boolean; write?: string } | undefined;
    const wantsLbWrite = typeof lb?.write === 'string' && info.options.largeBlobs === true;
    const permissions = PERMISSION.ga | (wantsLbWrite ? PERMISSION.lbw : 0);
    const token = uvNeed === 'discouraged' ? undefined : await this.token(permissions, rpId, uvNeed, extra);
    const exts = new Map<string, CanonicalValue>();
    let hmacSecret: { sharedSecret: Uint8Array; protocol: NonNullable<ReturnType<typeof ClientPin.preferred>> } | undefined;
    const prfEval = ext.prf?.eval as { first: string; second?: string } | undefined;
    if (prfEval && has('hmac-secret')) {
      const protocol = ClientPin.preferred(info) ?? PIN_PROTOCOL_1;
      const ka = await new ClientPin(this.device.ctap2, protocol).keyAgreement(this.call(extra)).catch((e) => this.ctapFailure('hmac-secret key agreement', e));
      const salts = Uint8Array.from([...prfSalt(fromBase64url(prfEval.first, 'prf.eval.first')), ...(prfEval.second !== undefined ? prfSalt(fromBase64url(prfEval.second, 'prf.eval.second')) : [])]);
      const saltEnc = protocol.encrypt(ka.sharedSecret, salts);
      exts.set('hmac-secret', new Map<number, CanonicalValue>([[1, ka.keyAgreement as Map<number, CanonicalValue>], [2, saltEnc], [3, protocol.authenticate(ka.sharedSecret, saltEnc)], ...(protocol.version === 2 ? [[4, 2] as [number, CanonicalValue]] : [])]));
      hmacSecret = { sharedSecret: ka.sharedSecret, protocol };
    }
    if (ext.getCredBlob === true && has('credBlob')) exts.set('credBlob', true);
    if (lb && info.options.largeBlobs === true) exts.set('largeBlobKey', true);
    const call = this.call(extra);
    let r: GetAssertionResult;
    try {
      r = await this.device.ctap2.getAssertion({
        rpId,
        clientDataHash,
        allowList: allow,
        extensions: exts,
        options: { uv: token === 'uv-option' ? true : undefined },
        ...(token && token !== 'uv-option' ? { pinUvAuthParam: pinUvAuthParam(token, clientDataHash), pinUvAuthProtocol: token.protocol.version } : {}),
      }, call);
      if (!allow.length && (r.numberOfCredentials ?? 1) > 1) {
        const all = [r];
        for (let i = 1; i < r.numberOfCredentials!; i++) all.push(await this.device.ctap2.getNextAssertion(call));
        const pick = await this.o.chooseAccount?.(all.map((a) => ({ ...(a.user ?? { id: new Uint8Array() }), credentialId: a.credential?.id ?? new Uint8Array() }))) ?? 0;
        r = all[Math.max(0, Math.min(all.length - 1, pick))]!;
      }
    } catch (e) {
      return this.ctapFailure('getAssertion', e);
    }
    const credId = r.credential?.id ?? (allow.length === 1 ? allow[0]!.id : undefined);
    if (!credId) throw new WebAuthnClientError('UnknownError', 'getAssertion answered without the credential it used (required when the allow list is not exactly one)');
    const parsed = safeAuthData(r.authData);
    const clientExt: Json = {};
    if (prfEval && hmacSecret) {
      const out = parsed?.extensions?.get('hmac-secret');
      if (out instanceof Uint8Array) {
        try {
          const plain = hmacSecret.protocol.decrypt(hmacSecret.sharedSecret, out);
          clientExt.prf = { results: { first: toBase64url(plain.subarray(0, 32)), ...(prfEval.second !== undefined && plain.length >= 64 ? { second: toBase64url(plain.subarray(32, 64)) } : {}) } };
        } catch {
          clientExt.prf = {};
        }
      } else clientExt.prf = {};
    }
    if (lb && info.options.largeBlobs === true && r.largeBlobKey) clientExt.largeBlob = await this.largeBlob(r.largeBlobKey, lb, token, extra);
    const id = toBase64url(credId);
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: { clientDataJSON: toBase64url(clientDataJSON), authenticatorData: toBase64url(r.authData), signature: toBase64url(r.signature), userHandle: r.user?.id?.length ? toBase64url(r.user.id) : undefined },
      clientExtensionResults: clientExt,
      authenticatorAttachment: 'cross-platform',
    };
  }

  /** largeBlob read / write through the key's serialized large-blob array (CTAP 2.1 §6.10, WebAuthn L3 §10.1.5). */
  private async largeBlob(key: Uint8Array, lb: { read?: boolean; write?: string }, token: PinUvAuthToken | 'uv-option' | undefined, extra: CeremonyExtras): Promise<Json> {
    const blobs = new LargeBlobs(this.device.ctap2!, this.info?.maxMsgSize ?? 1024);
    const entries = parseLargeBlobArray(await blobs.read(this.call(extra)));
    if (lb.read) {
      for (const e of entries) {
        const data = openLargeBlob(key, e);
        if (data) return { blob: toBase64url(data) };
      }
      return {};
    }
    // writing needs a token with the lbw permission, so user verification (WebAuthn L3 §10.1.5)
    if (!token || token === 'uv-option' || !(token.permissions & PERMISSION.lbw)) return { written: false };
    const kept = entries.filter((e) => !openLargeBlob(key, e));
    await blobs.write(serializeLargeBlobArray([...kept, sealLargeBlob(key, fromBase64url(lb.write, 'largeBlob.write'))]), token, this.call(extra));
    return { written: true };
  }

  /** A CTAP1-only key (CTAP 2.1 §10.2): makeCredential mapped onto U2F_REGISTER, fido-u2f attestation. */
  private async createU2f(options: Json, rpId: string, clientDataJSON: Uint8Array, params: { alg: number }[], sel: Json, extra: CeremonyExtras): Promise<Json> {
    const u2f = this.device.ctap1;
    if (!u2f) throw new WebAuthnClientError('NotSupportedError', 'the device speaks neither CTAP2 nor U2F');
    if (!params.some((p) => p.alg === -7)) throw new WebAuthnClientError('NotSupportedError', 'a U2F key creates ES256 credentials only, and ES256 was not offered');
    if (sel.residentKey === 'required' || sel.requireResidentKey) throw new WebAuthnClientError('NotSupportedError', 'a U2F key cannot store discoverable credentials');
    if (sel.userVerification === 'required') throw new WebAuthnClientError('NotSupportedError', 'a U2F key cannot verify its user');
    const appParam = sha256(te.encode(rpId));
    const challengeParam = sha256(clientDataJSON);
    for (const c of options.excludeCredentials ?? []) {
      try {
        await u2f.authenticate(challengeParam, appParam, fromBase64url(c.id, 'excludeCredentials[].id'), { ...this.call(extra), p1: 0x07 });
      } catch (e) {
        if (e instanceof U2fError && e.sw === 0x6985) throw new WebAuthnClientError('InvalidStateError', 'this key already holds a credential in excludeCredentials');
      }
    }
    const reg = await u2f.register(challengeParam, appParam, this.call(extra)).catch((e) => this.ctapFailure('U2F_REGISTER', e));
    const x = reg.publicKey.subarray(1, 33);
    const y = reg.publicKey.subarray(33, 65);
    const cose = encodeCanonical(new Map<number, CanonicalValue>([[1, 2], [3, -7], [-1, 1], [-2, x], [-3, y]]));
    const authData = Uint8Array.from([...appParam, 0x41, 0, 0, 0, 0, ...new Uint8Array(16), reg.keyHandle.length >> 8, reg.keyHandle.length & 0xff, ...reg.keyHandle, ...cose]);
    const none = (options.attestation ?? 'none') === 'none';
    const attestationObject = encodeCanonical(new Map<string, CanonicalValue>([['fmt', none ? 'none' : 'fido-u2f'], ['attStmt', none ? {} : { sig: reg.signature, x5c: [reg.certificate] }], ['authData', authData]]));
    const id = toBase64url(reg.keyHandle);
    const clientExt: Json = {};
    if (options.extensions?.credProps) clientExt.credProps = { rk: false };
    return { id, rawId: id, type: 'public-key', response: { clientDataJSON: toBase64url(clientDataJSON), attestationObject: toBase64url(attestationObject), transports: this.transports() }, clientExtensionResults: clientExt, authenticatorAttachment: 'cross-platform' };
  }

  /** getAssertion mapped onto U2F_AUTHENTICATE, trying each allowed key handle. */
  private async getU2f(options: Json, rpId: string, clientDataJSON: Uint8Array, allow: { id: Uint8Array }[], extra: CeremonyExtras): Promise<Json> {
    const u2f = this.device.ctap1;
    if (!u2f) throw new WebAuthnClientError('NotSupportedError', 'the device speaks neither CTAP2 nor U2F');
    if (!allow.length) throw new WebAuthnClientError('NotAllowedError', 'a U2F key holds no discoverable credentials: a sign-in needs allowCredentials');
    if (options.userVerification === 'required') throw new WebAuthnClientError('NotAllowedError', 'a U2F key cannot verify its user');
    const appParam = sha256(te.encode(options.extensions?.appid ?? rpId));
    const challengeParam = sha256(clientDataJSON);
    for (const c of allow) {
      try {
        const a = await u2f.authenticate(challengeParam, appParam, c.id, this.call(extra));
        const authData = Uint8Array.from([...appParam, a.userPresence & 0x01, (a.counter >>> 24) & 0xff, (a.counter >>> 16) & 0xff, (a.counter >>> 8) & 0xff, a.counter & 0xff]);
        const id = toBase64url(c.id);
        return { id, rawId: id, type: 'public-key', response: { clientDataJSON: toBase64url(clientDataJSON), authenticatorData: toBase64url(authData), signature: toBase64url(a.signature) }, clientExtensionResults: {}, authenticatorAttachment: 'cross-platform' };
      } catch (e) {
        if (e instanceof U2fError && e.sw === 0x6a80) continue; // not this key's handle
        return this.ctapFailure('U2F_AUTHENTICATE', e);
      }
    }
    throw new WebAuthnClientError('NotAllowedError', 'this key holds none of the allowed credentials');
  }
}

function safeAuthData(b: Uint8Array) {
  try {
    return parseAuthenticatorData(b, { allowTrailing: true });
  } catch {
    return undefined;
  }
}

/** authData with its AAGUID replaced by zeros (attestation "none"). */
function zeroAaguid(authData: Uint8Array): Uint8Array {
  if (authData.length < 53 || !(authData[32]! & 0x40)) return authData;
  const out = Uint8Array.from(authData);
  out.fill(0, 37, 53);
  return out;
}

export type { CborValue };
