import crypto from 'node:crypto';
import { encodeCbor } from '../cbor/encodeCbor.ts';
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
  /** a new resident credential for an RP replaces every other one on that RP */
  singleResidentSlot?: boolean;
}

/** What the emulated key can do; defaults model a FIDO2 key with PIN/UV and resident keys. */
export interface SoftFeatures {
  rk?: boolean;
  uv?: boolean;
  hmacSecret?: boolean;
  credProtect?: boolean;
  transports?: string[];
}

export interface SoftAuthenticatorOptions {
  aaguid?: Uint8Array;
  /** packed-full: sign with `attestationKey`, send `x5c` (leaf first) */
  attestation?: 'none' | 'packed-self' | 'packed-full';
  attestationKey?: crypto.KeyObject;
  x5c?: Uint8Array[];
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

export class SoftAuthenticator {
  readonly aaguid: Uint8Array;
  readonly attestation: 'none' | 'packed-self' | 'packed-full';
  readonly algorithms: number[];
  readonly attestationKey?: crypto.KeyObject;
  readonly x5c: Uint8Array[];
  readonly features: Required<SoftFeatures>;
  readonly faults: SoftFaults;
  readonly credentials = new Map<string, SoftCredential>();

  constructor(o: SoftAuthenticatorOptions = {}) {
    this.aaguid = o.aaguid ?? new Uint8Array(16);
    this.attestation = o.attestation ?? 'none';
    this.algorithms = o.algorithms ?? [COSE_ALG.ES256, COSE_ALG.EdDSA, COSE_ALG.RS256];
    this.attestationKey = o.attestationKey;
    this.x5c = o.x5c ?? [];
    this.features = { rk: true, uv: true, hmacSecret: false, credProtect: false, transports: ['usb'], ...o.features };
    this.faults = o.faults ?? {};
    if (this.attestation === 'packed-full' && (!this.attestationKey || this.x5c.length === 0)) {
      throw new Error('SoftAuthenticator: packed-full attestation needs attestationKey and x5c');
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
    if (wantsRk && !this.features.rk) throw new Error('SoftAuthenticator: resident keys not supported (NotSupportedError in a browser)');
    if (sel.userVerification === 'required' && !this.features.uv) throw new Error('SoftAuthenticator: no user verification (NotAllowedError in a browser)');
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
    if (this.faults.singleResidentSlot && cred.discoverable) {
      for (const [k, c] of this.credentials) if (c.discoverable && c.rpId === rpId) this.credentials.delete(k);
    }
    this.credentials.set(toBase64url(id), cred);
    // authenticator extension outputs, keys in CTAP2 canonical order (same length: bytewise)
    const authExt = new Map<string, unknown>();
    const CRED_PROTECT: Record<string, number> = { userVerificationOptional: 1, userVerificationOptionalWithCredentialIDList: 2, userVerificationRequired: 3 };
    if (this.features.credProtect && typeof ext.credentialProtectionPolicy === 'string') authExt.set('credProtect', CRED_PROTECT[ext.credentialProtectionPolicy] ?? 1);
    if (hmac) authExt.set('hmac-secret', true);
    const clientExt: Json = {};
    if (ext.credProps) clientExt.credProps = { rk: cred.discoverable };
    if (ext.prf !== undefined) clientExt.prf = { enabled: hmac };
    if (ext.hmacCreateSecret) clientExt.hmacCreateSecret = hmac;
    const clientDataJSON = clientData('webauthn.create', tamper.challenge ?? options.challenge, tamper.origin ?? origin, tamper.type);
    const acd = Buffer.concat([this.aaguid, Buffer.from([id.length >> 8, id.length & 0xff]), id, publicKeyCose]);
    const extBytes = authExt.size ? encodeCbor(authExt) : undefined;
    const authData = buildAuthData(tamper.rpId ?? rpId, this.faultFlags(flags(tamper, this.features.uv)) | 0x40 | (extBytes ? 0x80 : 0), tamper.signCount ?? 0, extBytes ? Buffer.concat([acd, extBytes]) : acd);
    let fmt = 'none';
    let attStmt = new Map<string, unknown>();
    if (this.attestation === 'packed-self') {
      fmt = 'packed';
      const sig = sign(alg, privateKey, Buffer.concat([authData, sha256(clientDataJSON)]));
      attStmt = new Map<string, unknown>([['alg', alg], ['sig', tamper.bogusSignature ? corrupt(sig) : sig]]);
    } else if (this.attestation === 'packed-full') {
      fmt = 'packed';
      const sig = sign(COSE_ALG.ES256, this.attestationKey!, Buffer.concat([authData, sha256(clientDataJSON)]));
      attStmt = new Map<string, unknown>([['alg', COSE_ALG.ES256], ['sig', tamper.bogusSignature ? corrupt(sig) : sig], ['x5c', this.x5c]]);
    }
    // canonical order: "fmt" (3) < "attStmt" (7) < "authData" (8)
    const attestationObject = encodeCbor(new Map<string, unknown>([['fmt', fmt], ['attStmt', attStmt], ['authData', authData]]));
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
    if (!cred) throw new Error('SoftAuthenticator: no credential for this request (NotAllowedError in a browser)');
    if (options.userVerification === 'required' && !this.features.uv) throw new Error('SoftAuthenticator: no user verification (NotAllowedError in a browser)');
    cred.signCount = this.faults.counterStuck ? 1 : cred.signCount + 1;
    const clientDataJSON = clientData('webauthn.get', tamper.challenge ?? options.challenge, tamper.origin ?? origin, tamper.type);
    const authData = buildAuthData(tamper.rpId ?? rpId, this.faultFlags(flags(tamper, this.features.uv)), tamper.signCount ?? cred.signCount);
    // PRF over hmac-secret (WebAuthn L3 §10.1.4): salt' = SHA-256("WebAuthn PRF" || 0x00 || salt), output = HMAC-SHA-256(CredRandom, salt')
    const clientExt: Json = {};
    const prfEval = options.extensions?.prf?.eval;
    if (prfEval && cred.credRandom) {
      const out = (salt: string) => {
        const s2 = crypto.createHash('sha256').update(Buffer.concat([Buffer.from('WebAuthn PRF'), Buffer.from([0]), Buffer.from(salt, 'base64url')])).digest();
        return toBase64url(crypto.createHmac('sha256', cred.credRandom!).update(s2).digest());
      };
      clientExt.prf = { results: { first: out(prfEval.first), ...(prfEval.second ? { second: out(prfEval.second) } : {}) } };
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

  private faultFlags(f: number): number {
    let out = f;
    if (this.faults.noUP) out &= ~0x01;
    if (this.faults.bsWithoutBe) out = (out | 0x10) & ~0x08;
    return out;
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
