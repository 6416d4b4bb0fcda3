import crypto from 'node:crypto';
import { toBase64url } from '../../encoding/base64url.ts';
import { COSE_ALG } from '../../webauthn/coseKey.ts';
import { U2F_SW } from '../../ctap/status.ts';
import { peculiarX509 } from '../../pki/x509Provider.ts';
import type { RequestContext } from '../../ctap/connection/AuthenticatorCore.ts';
import { generateCredentialKey } from '../softAttestation.ts';
import type { DeviceContext } from './DeviceContext.ts';
import { eq } from './makeCredential.ts';

export const U2F_FAULTS = {
  u2fBogusRegisterSignature: 'U2F_REGISTER signed over the wrong bytes',
} as const;

/** What U2F keeps between requests: a touch the person gave while the platform was polling. */
export class U2fPresence {
  touchedUntil = 0;
  waiting?: Promise<void>;
  cert?: Promise<{ key: crypto.KeyObject; cert: Uint8Array }>;
}

/**
 * U2F raw messages (FIDO U2F §4): VERSION, REGISTER, AUTHENTICATE. A key with alwaysUv on answers
 * none (CTAP 2.1 §7.2: U2F cannot verify the user). A CTAP2 credential works through U2F when it
 * could have been a U2F one: ES256, not discoverable, no credProtect.
 */
export async function u2f(d: DeviceContext, apdu: Uint8Array, presence: U2fPresence): Promise<Uint8Array> {
  const sw = (w: number, data: Uint8Array = new Uint8Array()) => Uint8Array.from([...data, w >> 8, w & 0xff]);
  if (apdu.length < 4) return sw(U2F_SW.WRONG_LENGTH);
  if (apdu[0] !== 0) return sw(U2F_SW.CLA_NOT_SUPPORTED);
  if (d.state.alwaysUv) return sw(U2F_SW.INS_NOT_SUPPORTED);
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
      if (!(await touched(d.req, presence))) return sw(U2F_SW.CONDITIONS_NOT_SATISFIED);
      const chal = data.subarray(0, 32);
      const app = data.subarray(32, 64);
      const { privateKey, publicKeyCose } = generateCredentialKey(COSE_ALG.ES256);
      const jwk = privateKey.export({ format: 'jwk' });
      const point = Uint8Array.from([4, ...Buffer.from(jwk.x!, 'base64url'), ...Buffer.from(jwk.y!, 'base64url')]);
      const kh = new Uint8Array(crypto.randomBytes(64));
      d.state.credentials.set(toBase64url(kh), { id: kh, alg: COSE_ALG.ES256, privateKey, publicKeyCose, rpIdHash: app, userHandle: new Uint8Array(), signCount: 0, discoverable: false, credProtect: 1, u2f: true, created: ++d.state.sequence });
      const att = await attestation(d, presence);
      const sig = new Uint8Array(crypto.sign('sha256', Uint8Array.from([0, ...app, ...chal, ...kh, ...point]), att.key));
      if (d.faults.u2fBogusRegisterSignature) sig[sig.length - 1]! ^= 0x01;
      d.changed();
      return sw(U2F_SW.NO_ERROR, Uint8Array.from([0x05, ...point, kh.length, ...kh, ...att.cert, ...sig]));
    }
    case 0x02: {
      if (data.length < 65 || data.length !== 65 + data[64]!) return sw(U2F_SW.WRONG_LENGTH);
      const chal = data.subarray(0, 32);
      const app = data.subarray(32, 64);
      const kh = data.subarray(65);
      const c = d.state.credentials.get(toBase64url(kh));
      const usable = c && eq(c.rpIdHash, app) && c.alg === COSE_ALG.ES256 && !c.discoverable && c.credProtect === 1;
      if (!usable) return sw(U2F_SW.WRONG_DATA);
      if (p1 === 0x07) return sw(U2F_SW.CONDITIONS_NOT_SATISFIED);
      const ok = p1 === 0x08 ? false : await touched(d.req, presence);
      if (p1 !== 0x08 && !ok) return sw(U2F_SW.CONDITIONS_NOT_SATISFIED);
      c!.signCount += 1;
      const counter = Buffer.alloc(4);
      counter.writeUInt32BE(c!.signCount);
      const up = ok ? 1 : 0;
      const sig = new Uint8Array(crypto.sign('sha256', Uint8Array.from([...app, up, ...counter, ...chal]), c!.privateKey));
      d.changed();
      return sw(U2F_SW.NO_ERROR, Uint8Array.from([up, ...counter, ...sig]));
    }
    default:
      return sw(U2F_SW.INS_NOT_SUPPORTED);
  }
}

/** U2F asks for presence by refusing until touched: a touch within 50 ms proceeds, else SW_CONDITIONS_NOT_SATISFIED while it is awaited. */
async function touched(req: RequestContext, p: U2fPresence): Promise<boolean> {
  if (Date.now() < p.touchedUntil) {
    p.touchedUntil = 0;
    return true;
  }
  if (!p.waiting) {
    p.waiting = req.userPresence().then(() => {
      p.touchedUntil = Date.now() + 10_000;
    }, () => {}).finally(() => {
      p.waiting = undefined;
    });
  }
  await Promise.race([p.waiting, new Promise((r) => setTimeout(r, 50))]);
  if (Date.now() < p.touchedUntil) {
    p.touchedUntil = 0;
    return true;
  }
  return false;
}

async function attestation(d: DeviceContext, p: U2fPresence): Promise<{ key: crypto.KeyObject; cert: Uint8Array }> {
  const m = d.identity.attestation;
  if ((m.kind === 'packed-full' || m.kind === 'fido-u2f') && m.key && m.x5c?.[0]) return { key: m.key, cert: m.x5c[0] };
  // no batch certificate configured: U2F needs one, so a self-made one stands in
  p.cert ??= selfSignedU2fCert();
  return p.cert;
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
