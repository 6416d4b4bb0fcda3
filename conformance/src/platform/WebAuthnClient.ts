import type { CborValue } from '../cbor/decodeCbor.ts';
import { encodeCanonical, RawCbor, type CanonicalValue } from '../cbor/encodeCanonical.ts';
import { fromBase64url, toBase64url } from '../encoding/base64url.ts';
import { parseAuthenticatorData } from '../webauthn/parseAuthenticatorData.ts';
import type { CtapDevice } from '../ctap/CtapDevice.ts';
import { CtapError } from '../ctap/CtapError.ts';
import { PERMISSION, KEEPALIVE } from '../ctap/constants.ts';
import { CTAP_STATUS } from '../ctap/status.ts';
import { ClientPin, obtainToken, pinUvAuthParam, sha256, type PinUvAuthToken } from '../ctap/ctap2/clientPin.ts';
import { chooseVerification, preferredProtocol } from '../ctap/ctap2/chooseVerification.ts';
import { PIN_PROTOCOL_1 } from '../ctap/ctap2/pinProtocol.ts';
import { LargeBlobs, openLargeBlob, parseLargeBlobArray, sealLargeBlob, serializeLargeBlobArray } from '../ctap/ctap2/largeBlobs.ts';
import type { GetAssertionResult, MakeCredentialResult } from '../ctap/ctap2/Ctap2Client.ts';
import { hmacSecret, type HmacSecretSession } from '../ctap/ctap2/extensions/hmacSecret.ts';
import { hmacSecretMc } from '../ctap/ctap2/extensions/hmacSecretMc.ts';
import { credProtect } from '../ctap/ctap2/extensions/credProtect.ts';
import { credBlob } from '../ctap/ctap2/extensions/credBlob.ts';
import { largeBlobKey } from '../ctap/ctap2/extensions/largeBlobKey.ts';
import { minPinLength } from '../ctap/ctap2/extensions/minPinLength.ts';
import { thirdPartyPayment } from '../ctap/ctap2/extensions/thirdPartyPayment.ts';
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
  /**
   * The person sets a PIN on a key that has none when an RP asks for user verification (what
   * Windows does since KB5073129); undefined: they decline. Absent: nobody is asked.
   */
  setUpPin?: () => string | undefined | Promise<string | undefined>;
}

export interface CeremonyExtras {
  /** a hostile or broken client: what it puts in clientDataJSON instead */
  clientData?: ClientDataOverride;
  signal?: AbortSignal;
}

const te = new TextEncoder();
const PRF_PREFIX = te.encode('WebAuthn PRF\x00');
/** WebAuthn L3 §10.1.4: the hmac-secret salt of a prf input is SHA-256("WebAuthn PRF" || 0x00 || input) */
const prfSalt = (salt: Uint8Array) => sha256(Uint8Array.from([...PRF_PREFIX, ...salt]));
const prfSalts = (e: { first: string; second?: string }) => [prfSalt(fromBase64url(e.first, 'prf.eval.first')), ...(e.second !== undefined ? [prfSalt(fromBase64url(e.second, 'prf.eval.second'))] : [])];

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

  /**
   * A pinUvAuthToken for these permissions, chosen as chooseVerification says (built-in UV when the
   * key has it set up, else the PIN; the CTAP 2.0 `uv` option on older keys). `preferred`: no way
   * to verify is not an error. A key with no PIN and a person who will set one (Windows since
   * KB5073129, when an RP prefers UV): the PIN is set first.
   */
  private async token(permissions: number, rpId: string, need: 'required' | 'preferred', extra?: CeremonyExtras): Promise<PinUvAuthToken | 'uv-option' | undefined> {
    let info = this.info!;
    let pin: string | undefined;
    const wantsPin = info.options.clientPin === true && info.options.uv !== true;
    if (wantsPin) pin = await this.o.pin?.();
    if (info.options.clientPin === false && info.options.uv !== true && this.o.setUpPin) {
      const newPin = await this.o.setUpPin();
      const protocol = preferredProtocol(info);
      if (newPin !== undefined && protocol) {
        await new ClientPin(this.device.ctap2!, protocol).setPin(newPin, this.call(extra)).catch((e) => this.ctapFailure('setting up a PIN', e));
        info = this.info!;
        pin = newPin;
      }
    }
    const v = chooseVerification(info, { pinAvailable: pin !== undefined, permissions });
    if (v.method === 'none') {
      if (need === 'preferred') return undefined;
      throw new WebAuthnClientError('NotAllowedError', `user verification is required and ${v.reason.replace(/^the key/, 'this key')}`);
    }
    try {
      return await obtainToken(this.device.ctap2!, v, { permissions, rpId, pin, call: this.call(extra) });
    } catch (e) {
      if (e instanceof CtapError && e.ctapStatus === CTAP_STATUS.CTAP2_ERR_PIN_INVALID && (v.method === 'pin' || v.method === 'pinToken')) {
        const left = await new ClientPin(this.device.ctap2!, v.protocol).getRetries(this.call(extra)).then((r) => r.retries, () => undefined);
        throw fromCtapStatus('PIN verification', e.ctapStatus, left === undefined ? '' : `, ${left} retries left`);
      }
      return this.ctapFailure(v.method === 'uv' ? 'user verification' : 'PIN verification', e);
    }
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
    const wantsHmac = (ext.hmacCreateSecret === true || ext.prf !== undefined) && hmacSecret.supported(info);
    if (wantsHmac) exts.set(hmacSecret.name, hmacSecret.createInput());
    // prf evaluated at create (WebAuthn L3 §10.1.4): hmac-secret-mc where the key has it (CTAP 2.3 §12.8)
    const prfCreateEval = ext.prf?.eval as { first: string; second?: string } | undefined;
    let mcSession: HmacSecretSession | undefined;
    if (prfCreateEval && wantsHmac && hmacSecretMc.supported(info)) {
      mcSession = await hmacSecret.session(this.device.ctap2!, preferredProtocol(info) ?? PIN_PROTOCOL_1, this.call(extra)).catch((e) => this.ctapFailure('hmac-secret key agreement', e));
      exts.set(hmacSecretMc.name, hmacSecretMc.input(mcSession, prfSalts(prfCreateEval)));
    }
    const level = typeof ext.credentialProtectionPolicy === 'string' ? credProtect.level(ext.credentialProtectionPolicy) : undefined;
    if (level) {
      if (credProtect.supported(info)) exts.set(credProtect.name, credProtect.createInput(level));
      else if (ext.enforceCredentialProtectionPolicy === true && level > 1) throw new WebAuthnClientError('NotAllowedError', 'credProtect is enforced and this key does not support it');
    }
    if (typeof ext.credBlob === 'string' && credBlob.supported(info)) exts.set(credBlob.name, credBlob.createInput(fromBase64url(ext.credBlob, 'extensions.credBlob')));
    if (ext.minPinLength === true && minPinLength.supported(info)) exts.set(minPinLength.name, minPinLength.input());
    if (ext.payment?.isPayment === true && thirdPartyPayment.supported(info)) exts.set(thirdPartyPayment.name, thirdPartyPayment.input());
    const wantsLargeBlob = ext.largeBlob?.support !== undefined;
    const largeBlobOk = wantsLargeBlob && largeBlobKey.supported(info) && rk;
    if (wantsLargeBlob && ext.largeBlob.support === 'required' && !largeBlobOk) throw new WebAuthnClientError('NotSupportedError', 'largeBlob support is required and this key cannot store large blobs for this credential');
    if (largeBlobOk) exts.set(largeBlobKey.name, largeBlobKey.input());
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
        // WebAuthn L3 §5.1.3 step 17 / CTAP 2.1 §7.1: asked only of a key whose enterprise attestation is enabled
        ...(options.attestation === 'enterprise' && info.options.ep === true ? { enterpriseAttestation: 1 } : {}),
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
    if (ext.prf !== undefined) {
      clientExt.prf = { enabled: hmacSecret.created(parsed?.extensions) };
      const results = mcSession ? hmacSecretMc.outputs(mcSession, parsed?.extensions?.get(hmacSecretMc.name)) : undefined;
      if (results) clientExt.prf.results = { first: toBase64url(results.output1), ...(results.output2 ? { second: toBase64url(results.output2) } : {}) };
    }
    if (ext.hmacCreateSecret) clientExt.hmacCreateSecret = hmacSecret.created(parsed?.extensions);
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
    let session: HmacSecretSession | undefined;
    const prfEval = ext.prf?.eval as { first: string; second?: string } | undefined;
    if (prfEval && hmacSecret.supported(info)) {
      session = await hmacSecret.session(this.device.ctap2, preferredProtocol(info) ?? PIN_PROTOCOL_1, this.call(extra)).catch((e) => this.ctapFailure('hmac-secret key agreement', e));
      exts.set(hmacSecret.name, hmacSecret.input(session, prfSalts(prfEval)));
    }
    if (ext.getCredBlob === true && credBlob.supported(info)) exts.set(credBlob.name, credBlob.getInput());
    if (lb && largeBlobKey.supported(info)) exts.set(largeBlobKey.name, largeBlobKey.input());
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
    if (prfEval && session) {
      const results = hmacSecret.outputs(session, parsed?.extensions?.get(hmacSecret.name));
      clientExt.prf = results ? { results: { first: toBase64url(results.output1), ...(prfEval.second !== undefined && results.output2 ? { second: toBase64url(results.output2) } : {}) } } : {};
    }
    if (ext.getCredBlob === true) {
      const blob = credBlob.blob(parsed?.extensions);
      if (blob) clientExt.getCredBlob = toBase64url(blob);
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
