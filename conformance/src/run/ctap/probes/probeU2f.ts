import crypto from 'node:crypto';
import { U2fError, U2F_P1 } from '../../../ctap/ctap1/Ctap1Client.ts';
import { swName } from '../../../ctap/status.ts';
import { toBase64url } from '../../../encoding/base64url.ts';
import type { U2fProbe } from '../../../checks/ctap/CtapEvidence.ts';
import { PROBE_RP_ID, statusOf, type CtapSession } from '../CtapSession.ts';

const sha256 = (b: Uint8Array | string) => new Uint8Array(crypto.createHash('sha256').update(b).digest());

/**
 * CTAP1/U2F interop for a key that lists U2F_V2 (CTAP 2.1 §11 "Interoperating with CTAP1/U2F
 * authenticators"): U2F_REGISTER and U2F_AUTHENTICATE answer as U2F 1.2 says (the check verifies
 * both signatures); the U2F credential works through CTAP2 getAssertion; and a CTAP2 credential
 * that could have been a U2F one (ES256, not discoverable) is recognised through U2F (check-only
 * answers SW_CONDITIONS_NOT_SATISFIED). U2F credentials live in their key handles: nothing stays.
 */
export async function probeU2f(s: CtapSession, ctap2Credential: Uint8Array | undefined): Promise<U2fProbe> {
  const u2f = s.device.ctap1;
  if (!s.info.versions.includes('U2F_V2')) return { skipped: 'getInfo does not list U2F_V2', notApplicable: true };
  if (!u2f) return { skipped: 'getInfo lists U2F_V2 but the key refuses CTAPHID_MSG (its INIT capabilities say NMSG)' };
  const appParam = sha256(PROBE_RP_ID);
  const regChallenge = new Uint8Array(crypto.randomBytes(32));
  const out: U2fProbe = {};
  let keyHandle: Uint8Array | undefined;
  try {
    const r = await u2f.register(regChallenge, appParam, s.call());
    keyHandle = r.keyHandle;
    out.register = { status: 'OK', response: toBase64url(Uint8Array.from([0x05, ...r.publicKey, r.keyHandle.length, ...r.keyHandle, ...r.certificate, ...r.signature])), challengeParam: toBase64url(regChallenge), appParam: toBase64url(appParam) };
  } catch (e) {
    out.register = { status: statusOf(e), challengeParam: toBase64url(regChallenge), appParam: toBase64url(appParam) };
  }
  if (keyHandle) {
    const authChallenge = new Uint8Array(crypto.randomBytes(32));
    try {
      const a = await u2f.authenticate(authChallenge, appParam, keyHandle, s.call());
      const counter = [(a.counter >>> 24) & 0xff, (a.counter >>> 16) & 0xff, (a.counter >>> 8) & 0xff, a.counter & 0xff];
      out.authenticate = { status: 'OK', response: toBase64url(Uint8Array.from([a.userPresence, ...counter, ...a.signature])), challengeParam: toBase64url(authChallenge) };
    } catch (e) {
      out.authenticate = { status: statusOf(e), challengeParam: toBase64url(authChallenge) };
    }
    const clientDataHash = new Uint8Array(crypto.randomBytes(32));
    try {
      const g = await s.getAssertion({ credentialIds: [keyHandle], clientDataHash, up: false });
      out.viaCtap2 = { status: 'OK', authData: toBase64url(g.authData), signature: toBase64url(g.signature), clientDataHash: toBase64url(clientDataHash) };
    } catch (e) {
      out.viaCtap2 = { status: statusOf(e), clientDataHash: toBase64url(clientDataHash) };
    }
  }
  // only an ES256 credential could have been a U2F one (CTAP 2.1 §11): a key that creates none has nothing to cross
  if (!ctap2Credential) return out;
  try {
    await u2f.authenticate(new Uint8Array(32), appParam, ctap2Credential, { ...s.call(), p1: U2F_P1.CHECK_ONLY });
    out.ctap2ViaU2f = { sw: swName(0x9000) };
  } catch (e) {
    out.ctap2ViaU2f = { sw: e instanceof U2fError ? swName(e.sw) : statusOf(e) };
  }
  return out;
}
