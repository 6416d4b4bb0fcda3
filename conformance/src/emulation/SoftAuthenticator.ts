import crypto from 'node:crypto';
import { encodeCbor, canonicalMap } from '../cbor/encodeCbor.ts';
import { COSE_ALG } from '../webauthn/coseKey.ts';
import { toBase64url, fromBase64url } from '../encoding/base64url.ts';

/**
 * A minimal software authenticator (CTAP2-style, node:crypto) that answers WebAuthn option
 * JSON with response JSON exactly as a browser would serialise it. Used by tests and the
 * bench to drive the RP server without a browser. It carries its own AAGUID and can be told
 * to misbehave (flags, counter) so negative paths are exercised with real signatures.
 */
export interface SoftCredential {
  id: Uint8Array;
  alg: number;
  privateKey: crypto.KeyObject;
  publicKeyCose: Uint8Array;
  rpId: string;
  userHandle: Uint8Array;
  signCount: number;
  discoverable: boolean;
  /** hmac-secret CredRandom (CTAP 2.1 §12.5), when the credential was made with it */
  credRandom?: Uint8Array;
  credBlob?: Uint8Array;
  largeBlob?: Uint8Array;
}

/** Defects on purpose, so every check can be shown to catch the one it names (issue 6 extends this). */
export interface SoftFaults {
  /** never set UP */
  noUP?: boolean;
  /** set BS without BE */
  bsWithoutBe?: boolean;
  /** the signature counter never moves past 1 */
  counterStuck?: boolean;
  /** 8-byte credential IDs */
  shortCredentialId?: boolean;
  /** a new resident credential for an RP replaces every other one on that RP (second account overwrites the first) */
  singleResidentSlot?: boolean;
  /** the attestation signature does not verify */
  bogusAttestationSignature?: boolean;
  /** packed x5c sent, but the statement signed with the credential key instead of the attestation key */
  attestationSignedByCredentialKey?: boolean;
  /** authData carries an AAGUID other than the certificate's */
  aaguidMismatch?: boolean;
  /** rpIdHash of another RP ID in every response */
  wrongRpIdHash?: boolean;
  /** the UV flag set even when no verification happened */
  uvWithoutVerification?: boolean;
  /** the counter goes down */
  counterBackwards?: boolean;
  /** hmac-secret/PRF output differs every time for the same salt */
  hmacUnstable?: boolean;
  /** rk requested and reported (credProps.rk true) but the credential is not stored on the key */
  residentNotStored?: boolean;
  /** attestation object map keys out of CTAP2 canonical order */
  nonCanonicalCbor?: boolean;
  /** a stray CBOR item (an empty map, ED flag clear) after the authenticator data's last field, in every response */
  trailingCbor?: boolean;
  /** the credential public key labelled with the wrong COSE key type */
  wrongCoseKeyType?: boolean;
}

/** What the emulated key can do; defaults model a FIDO2 key with PIN/UV and resident keys. */
export interface SoftFeatures {
  rk?: boolean;
  /** built-in user verification (biometric) that always succeeds */
  uv?: boolean;
  /** client PIN (CTAP 2.1 §6.5): UV by PIN when there is no built-in UV; retries, then blocked */
  clientPin?: { pin: string; retries?: number };
  hmacSecret?: boolean;
  credProtect?: boolean;
  /** credBlob (CTAP 2.1 §12.2): up to 32 bytes stored with a credential */
  credBlob?: boolean;
  /** largeBlob storage for resident credentials (WebAuthn L3 §10.1.5, CTAP 2.1 §6.10) */
  largeBlob?: boolean;
  /** minPinLength (CTAP 2.1 §12.4) reported to RPs that ask; 0 = extension not supported */
  minPinLength?: number;
  /** signature counter per credential (default) or one global counter */
  counter?: 'per-credential' | 'global';
  /** how many resident credentials fit (CTAP2_ERR_KEY_STORE_FULL beyond) */
  residentCapacity?: number;
  transports?: string[];
}

export interface SoftAuthenticatorOptions {
  aaguid?: Uint8Array;
  /** packed-full: sign with `attestationKey`, send `x5c` (leaf first); fido-u2f: the same key and leaf, U2F format */
  attestation?: 'none' | 'packed-self' | 'packed-full' | 'fido-u2f';
  attestationKey?: crypto.KeyObject;
  x5c?: Uint8Array[];
  /** enterprise attestation (WebAuthn L3 §5.4.7): a device-unique certificate for these RP IDs only */
  enterprise?: { rpIds: string[]; key: crypto.KeyObject; x5c: Uint8Array[] };
  /** first algorithm of pubKeyCredParams this list contains wins */
  algorithms?: number[];
  features?: SoftFeatures;
  faults?: SoftFaults;
}

export interface Tamper {
  clearUP?: boolean;
  setUV?: boolean;
  clearUV?: boolean;
  bogusSignature?: boolean;
  signCount?: number;
  origin?: string;
  rpId?: string;
  type?: string;
  challenge?: string;
}

type Json = Record<string, any>;

/**
 * The software key refusing a ceremony, with the DOMException name a browser would raise for
 * it (WebAuthn L3 §5.1.3, §5.1.4), so drivers record it without reading the message.
 */
export class SoftKeyError extends Error {
  readonly domName: 'NotAllowedError' | 'NotSupportedError' | 'InvalidStateError';
  constructor(domName: SoftKeyError['domName'], message: string) {
    super(message);
    this.name = 'SoftKeyError';
    this.domName = domName;
  }
}

/** The DOMException name a browser would show for an error from the software key. */
export function domErrorName(e: unknown): string {
  return e instanceof SoftKeyError ? e.domName : 'NotAllowedError';
}

export class SoftAuthenticator {
  readonly aaguid: Uint8Array;
  readonly attestation: 'none' | 'packed-self' | 'packed-full' | 'fido-u2f';
  /** what the person types when the browser asks for the PIN (defaults to the right one) */
  pinEntry?: string;
  private pinRetries: number;
  private globalCounter = 0;
  readonly algorithms: number[];
  readonly attestationKey?: crypto.KeyObject;
  readonly x5c: Uint8Array[];
  readonly enterprise?: { rpIds: string[]; key: crypto.KeyObject; x5c: Uint8Array[] };
  readonly features: Required<SoftFeatures>;
  readonly faults: SoftFaults;
  readonly credentials = new Map<string, SoftCredential>();

  constructor(o: SoftAuthenticatorOptions = {}) {
    this.aaguid = o.aaguid ?? new Uint8Array(16);
    this.attestation = o.attestation ?? 'none';
    this.algorithms = o.algorithms ?? [COSE_ALG.ES256, COSE_ALG.EdDSA, COSE_ALG.RS256];
    this.attestationKey = o.attestationKey;
    this.x5c = o.x5c ?? [];
    this.enterprise = o.enterprise;
    this.features = { rk: true, uv: true, clientPin: undefined as never, hmacSecret: false, credProtect: false, credBlob: false, largeBlob: false, minPinLength: 0, counter: 'per-credential', residentCapacity: 25, transports: ['usb'], ...o.features };
    this.pinRetries = this.features.clientPin?.retries ?? 8;
    this.pinEntry = this.features.clientPin?.pin;
    this.faults = o.faults ?? {};
    if ((this.attestation === 'packed-full' || this.attestation === 'fido-u2f') && (!this.attestationKey || this.x5c.length === 0)) {
      throw new Error(`SoftAuthenticator: ${this.attestation} attestation needs attestationKey and x5c`);
    }
  }

  create(options: Json, origin: string, tamper: Tamper = {}): Json {
    const offered: number[] = (options.pubKeyCredParams ?? []).map((p: Json) => p.alg);
    const alg = offered.find((a) => this.algorithms.includes(a));
    if (alg === undefined) throw new Error(`SoftAuthenticator: none of the offered algorithms ${offered.join(',')} is supported`);
    const { privateKey, publicKeyCose } = generateKey(alg);
    const id = crypto.randomBytes(this.faults?.shortCredentialId ? 8 : 32);
    const rpId = options.rp?.id ?? new URL(origin).hostname;
    const sel = options.authenticatorSelection ?? {};
    const wantsRk = sel.residentKey === 'required' || sel.requireResidentKey === true;
    if (wantsRk && !this.features.rk) throw new SoftKeyError('NotSupportedError', 'SoftAuthenticator: resident keys not supported (NotSupportedError in a browser)');
    const uvDone = this.verifyUser(sel.userVerification ?? 'preferred');
    const ext: Json = options.extensions ?? {};
    const hmac = this.features.hmacSecret && (ext.hmacCreateSecret === true || ext.prf !== undefined);
    const cred: SoftCredential = {
      id,
      alg,
      privateKey,
      publicKeyCose,
      rpId,
      userHandle: fromBase64url(options.user.id, 'user.id'),
      signCount: 0,
      discoverable: this.features.rk && (wantsRk || sel.residentKey === 'preferred'),
      credRandom: hmac ? crypto.randomBytes(32) : undefined,
    };
    if (cred.discoverable && [...this.credentials.values()].filter((c) => c.discoverable && !(c.rpId === rpId && Buffer.from(c.userHandle).equals(Buffer.from(cred.userHandle)))).length >= this.features.residentCapacity) {
      throw new SoftKeyError('NotAllowedError', 'SoftAuthenticator: CTAP2_ERR_KEY_STORE_FULL, no room for another resident credential (NotAllowedError in a browser)');
    }
    // CTAP 2.1 §6.1.2 step 17: a resident credential for the same (rpId, user handle) replaces the old one
    if (cred.discoverable) {
      for (const [k, c] of this.credentials) if (c.discoverable && c.rpId === rpId && Buffer.from(c.userHandle).equals(Buffer.from(cred.userHandle))) this.credentials.delete(k);
    }
    if (this.faults.singleResidentSlot && cred.discoverable) {
      for (const [k, c] of this.credentials) if (c.discoverable && c.rpId === rpId) this.credentials.delete(k);
    }
    this.credentials.set(toBase64url(id), cred);
    // authenticator extension outputs (sorted into CTAP2 canonical order when encoded)
    const authExt = new Map<string, unknown>();
    const CRED_PROTECT: Record<string, number> = { userVerificationOptional: 1, userVerificationOptionalWithCredentialIDList: 2, userVerificationRequired: 3 };
    if (this.features.credProtect && typeof ext.credentialProtectionPolicy === 'string') authExt.set('credProtect', CRED_PROTECT[ext.credentialProtectionPolicy] ?? 1);
    if (this.features.credBlob && typeof ext.credBlob === 'string') {
      const blob = Buffer.from(ext.credBlob, 'base64url');
      const ok = blob.length <= 32;
      if (ok) cred.credBlob = new Uint8Array(blob);
      authExt.set('credBlob', ok);
    }
    if (hmac) authExt.set('hmac-secret', true);
    if (this.features.minPinLength && ext.minPinLength === true) authExt.set('minPinLength', this.features.minPinLength);
    const clientExt: Json = {};
    if (ext.credProps) clientExt.credProps = { rk: cred.discoverable };
    if (this.faults.residentNotStored && cred.discoverable) cred.discoverable = false; // silently
    if (ext.prf !== undefined) clientExt.prf = { enabled: hmac };
    if (ext.largeBlob?.support) clientExt.largeBlob = { supported: !!this.features.largeBlob && cred.discoverable };
    if (ext.hmacCreateSecret) clientExt.hmacCreateSecret = hmac;
    const clientDataJSON = clientData('webauthn.create', tamper.challenge ?? options.challenge, tamper.origin ?? origin, tamper.type);
    const aaguid = this.faults.aaguidMismatch ? Buffer.from(this.aaguid).map((b, i) => (i === 15 ? b ^ 0xff : b)) : this.aaguid;
    // kty is the first map entry (a5 01 02 for EC2): relabel it OKP (01) without touching the rest
    const coseBytes = this.faults.wrongCoseKeyType ? Buffer.from(publicKeyCose).map((b, i) => (i === 2 ? (b === 2 ? 1 : 2) : b)) : publicKeyCose;
    const acd = Buffer.concat([aaguid, Buffer.from([id.length >> 8, id.length & 0xff]), id, coseBytes]);
    const extBytes = authExt.size ? encodeCbor(canonicalMap(authExt)) : undefined;
    const authData = this.faultPadding(buildAuthData(tamper.rpId ?? this.rpIdFor(rpId), this.faultFlags(flags(tamper, uvDone)) | 0x40 | (extBytes ? 0x80 : 0), tamper.signCount ?? (this.features.counter === 'global' ? this.globalCounter : 0), extBytes ? Buffer.concat([acd, extBytes]) : acd));
    let fmt = 'none';
    let attStmt = new Map<string, unknown>();
    if (this.attestation === 'packed-self') {
      fmt = 'packed';
      const sig = sign(alg, privateKey, Buffer.concat([authData, sha256(clientDataJSON)]));
      attStmt = new Map<string, unknown>([['alg', alg], ['sig', tamper.bogusSignature ? corrupt(sig) : sig]]);
    } else if (this.attestation === 'fido-u2f') {
      // §8.6: only EC P-256 credentials; sig over 0x00 || rpIdHash || clientDataHash || credentialId || 0x04 || x || y
      if (alg !== COSE_ALG.ES256) throw new Error('SoftAuthenticator: fido-u2f attestation needs an ES256 credential');
      fmt = 'fido-u2f';
      const jwk = privateKey.export({ format: 'jwk' });
      const data = Buffer.concat([Buffer.from([0]), authData.subarray(0, 32), sha256(clientDataJSON), id, Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
      const sig = crypto.sign('sha256', data, this.attestationKey!);
      attStmt = new Map<string, unknown>([['sig', tamper.bogusSignature ? corrupt(sig) : sig], ['x5c', [this.x5c[0]]]]);
    } else if (options.attestation === 'enterprise' && this.enterprise?.rpIds.includes(rpId)) {
      // an RP the key is provisioned for: the device-unique certificate instead of the batch one
      fmt = 'packed';
      const sig = sign(COSE_ALG.ES256, this.enterprise.key, Buffer.concat([authData, sha256(clientDataJSON)]));
      attStmt = new Map<string, unknown>([['alg', COSE_ALG.ES256], ['sig', sig], ['x5c', this.enterprise.x5c]]);
    } else if (this.attestation === 'packed-full') {
      fmt = 'packed';
      const byCredential = this.faults.attestationSignedByCredentialKey;
      const sig = sign(byCredential ? alg : COSE_ALG.ES256, byCredential ? privateKey : this.attestationKey!, Buffer.concat([authData, sha256(clientDataJSON)]));
      attStmt = new Map<string, unknown>([['alg', COSE_ALG.ES256], ['sig', tamper.bogusSignature || this.faults.bogusAttestationSignature ? corrupt(sig) : sig], ['x5c', this.x5c]]);
    }
    // canonical order: "fmt" (3) < "attStmt" (7) < "authData" (8)
    const entries: [string, unknown][] = [['fmt', fmt], ['attStmt', attStmt], ['authData', authData]];
    const attestationObject = encodeCbor(new Map<string, unknown>(this.faults.nonCanonicalCbor ? entries.reverse() : entries));
    return {
      id: toBase64url(id),
      rawId: toBase64url(id),
      type: 'public-key',
      response: {
        clientDataJSON: toBase64url(clientDataJSON),
        attestationObject: toBase64url(attestationObject),
        transports: this.features.transports,
      },
      clientExtensionResults: clientExt,
      authenticatorAttachment: 'cross-platform',
    };
  }

  /** `choose`: the credential ID a person would pick in the browser's account chooser */
  get(options: Json, origin: string, tamper: Tamper = {}, choose?: string): Json {
    const rpId = options.rpId ?? new URL(origin).hostname;
    const allowed: string[] = (options.allowCredentials ?? []).map((c: Json) => c.id);
    const cred = allowed.length
      ? allowed.map((id) => this.credentials.get(id)).find((c) => c && c.rpId === rpId)
      : [...this.credentials.values()].find((c) => c.discoverable && c.rpId === rpId && (!choose || toBase64url(c.id) === choose));
    if (!cred) throw new SoftKeyError('NotAllowedError', 'SoftAuthenticator: no credential for this request (NotAllowedError in a browser)');
    const uvDone = this.verifyUser(options.userVerification ?? 'preferred');
    if (this.features.counter === 'global') cred.signCount = this.globalCounter = this.globalCounter + 1;
    else cred.signCount = cred.signCount + 1;
    if (this.faults.counterStuck) cred.signCount = 1;
    if (this.faults.counterBackwards) cred.signCount = cred.signCount <= 1 ? 10 : Math.max(0, 10 - cred.signCount);
    const clientDataJSON = clientData('webauthn.get', tamper.challenge ?? options.challenge, tamper.origin ?? origin, tamper.type);
    const getExt = new Map<string, unknown>();
    if (this.features.credBlob && options.extensions?.getCredBlob === true) getExt.set('credBlob', cred.credBlob ?? new Uint8Array());
    const getExtBytes = getExt.size ? encodeCbor(canonicalMap(getExt)) : undefined;
    const authData = this.faultPadding(buildAuthData(tamper.rpId ?? this.rpIdFor(rpId), this.faultFlags(flags(tamper, uvDone)) | (getExtBytes ? 0x80 : 0), tamper.signCount ?? cred.signCount, getExtBytes));
    // PRF over hmac-secret (WebAuthn L3 §10.1.4): salt' = SHA-256("WebAuthn PRF" || 0x00 || salt), output = HMAC-SHA-256(CredRandom, salt')
    const clientExt: Json = {};
    const prfEval = options.extensions?.prf?.eval;
    if (prfEval && cred.credRandom) {
      const out = (salt: string) => {
        const s2 = crypto.createHash('sha256').update(Buffer.concat([Buffer.from('WebAuthn PRF'), Buffer.from([0]), Buffer.from(salt, 'base64url')])).digest();
        return toBase64url(crypto.createHmac('sha256', this.faults.hmacUnstable ? crypto.randomBytes(32) : cred.credRandom!).update(s2).digest());
      };
      clientExt.prf = { results: { first: out(prfEval.first), ...(prfEval.second ? { second: out(prfEval.second) } : {}) } };
    }
    const lb = options.extensions?.largeBlob;
    if (lb && this.features.largeBlob && cred.discoverable) {
      if (lb.read) clientExt.largeBlob = cred.largeBlob ? { blob: toBase64url(cred.largeBlob) } : {};
      else if (typeof lb.write === 'string') {
        // the platform writes only after user verification (WebAuthn L3 §10.1.5)
        cred.largeBlob = uvDone ? new Uint8Array(Buffer.from(lb.write, 'base64url')) : cred.largeBlob;
        clientExt.largeBlob = { written: uvDone };
      }
    }
    let sig = sign(cred.alg, cred.privateKey, Buffer.concat([authData, sha256(clientDataJSON)]));
    if (tamper.bogusSignature) sig = corrupt(sig);
    return {
      id: toBase64url(cred.id),
      rawId: toBase64url(cred.id),
      type: 'public-key',
      response: {
        clientDataJSON: toBase64url(clientDataJSON),
        authenticatorData: toBase64url(authData),
        signature: toBase64url(sig),
        userHandle: cred.discoverable ? toBase64url(cred.userHandle) : undefined,
      },
      clientExtensionResults: clientExt,
      authenticatorAttachment: 'cross-platform',
    };
  }

  /**
   * User verification for one ceremony, as the browser would do it: built-in UV, else the
   * client PIN (the person types `pinEntry`; wrong PINs count down the retries, then the PIN
   * is blocked), else none. "discouraged" skips it; "required" without it fails.
   */
  private verifyUser(requirement: string): boolean {
    if (requirement === 'discouraged') return false;
    if (this.features.uv) return true;
    const pin = this.features.clientPin;
    if (pin) {
      if (this.pinRetries <= 0) throw new SoftKeyError('NotAllowedError', 'SoftAuthenticator: CTAP2_ERR_PIN_BLOCKED (NotAllowedError in a browser)');
      if (this.pinEntry === pin.pin) {
        this.pinRetries = pin.retries ?? 8;
        return true;
      }
      this.pinRetries -= 1;
      throw new SoftKeyError('NotAllowedError', `SoftAuthenticator: CTAP2_ERR_PIN_INVALID, ${this.pinRetries} retries left (NotAllowedError in a browser)`);
    }
    if (requirement === 'required') throw new SoftKeyError('NotAllowedError', 'SoftAuthenticator: no user verification (NotAllowedError in a browser)');
    return false;
  }

  /** PIN retries left (CTAP 2.1 authenticatorClientPIN getPINRetries) */
  get retriesLeft(): number {
    return this.pinRetries;
  }

  private rpIdFor(rpId: string): string {
    return this.faults.wrongRpIdHash ? `${rpId}.evil.example` : rpId;
  }

  private faultFlags(f: number): number {
    let out = f;
    if (this.faults.uvWithoutVerification) out |= 0x04;
    if (this.faults.noUP) out &= ~0x01;
    if (this.faults.bsWithoutBe) out = (out | 0x10) & ~0x08;
    return out;
  }

  /** trailingCbor: an empty CBOR map after the last field, the ED flag left clear (signed over, as a key would) */
  private faultPadding(authData: Buffer): Buffer {
    return this.faults.trailingCbor ? Buffer.concat([authData, Buffer.from([0xa0])]) : authData;
  }
}

function flags(t: Tamper, uv: boolean): number {
  // (see SoftAuthenticator.faultFlags for configured defects)
  let f = t.clearUP ? 0 : 0x01;
  if ((uv || t.setUV) && !t.clearUV) f |= 0x04;
  return f;
}

function clientData(type: string, challenge: string, origin: string, override?: string): Uint8Array {
  // key order as Chromium writes it: type, challenge, origin, crossOrigin
  return new TextEncoder().encode(JSON.stringify({ type: override ?? type, challenge, origin, crossOrigin: false }));
}

function sha256(b: Uint8Array): Buffer {
  return crypto.createHash('sha256').update(b).digest();
}

function buildAuthData(rpId: string, flagsByte: number, signCount: number, acd?: Uint8Array): Buffer {
  const head = Buffer.alloc(37);
  sha256(new TextEncoder().encode(rpId)).copy(head, 0);
  head[32] = flagsByte;
  head.writeUInt32BE(signCount >>> 0, 33);
  return acd ? Buffer.concat([head, acd]) : head;
}

function corrupt(sig: Uint8Array): Buffer {
  const b = Buffer.from(sig);
  b[b.length - 1]! ^= 0x01;
  return b;
}

function sign(alg: number, key: crypto.KeyObject, data: Uint8Array): Buffer {
  if (alg === COSE_ALG.EdDSA) return crypto.sign(null, data, key);
  return crypto.sign('sha256', data, key);
}

function generateKey(alg: number): { privateKey: crypto.KeyObject; publicKeyCose: Uint8Array } {
  if (alg === COSE_ALG.ES256) {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const j = publicKey.export({ format: 'jwk' });
    const cose = new Map<number, unknown>([[1, 2], [3, alg], [-1, 1], [-2, Buffer.from(j.x!, 'base64url')], [-3, Buffer.from(j.y!, 'base64url')]]);
    return { privateKey, publicKeyCose: encodeCbor(cose) };
  }
  if (alg === COSE_ALG.EdDSA) {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
    const j = publicKey.export({ format: 'jwk' });
    const cose = new Map<number, unknown>([[1, 1], [3, alg], [-1, 6], [-2, Buffer.from(j.x!, 'base64url')]]);
    return { privateKey, publicKeyCose: encodeCbor(cose) };
  }
  if (alg === COSE_ALG.RS256) {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const j = publicKey.export({ format: 'jwk' });
    const cose = new Map<number, unknown>([[1, 3], [3, alg], [-1, Buffer.from(j.n!, 'base64url')], [-2, Buffer.from(j.e!, 'base64url')]]);
    return { privateKey, publicKeyCose: encodeCbor(cose) };
  }
  throw new Error(`SoftAuthenticator: algorithm ${alg} not implemented`);
}
