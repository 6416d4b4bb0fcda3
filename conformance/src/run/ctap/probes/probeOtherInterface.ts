import crypto from 'node:crypto';
import type { CtapDevice } from '../../../ctap/CtapDevice.ts';
import type { CtapEvidence, OtherInterfaceProbe } from '../../../checks/ctap/CtapEvidence.ts';
import { parseAuthenticatorData } from '../../../webauthn/parseAuthenticatorData.ts';
import { coseKeyToPublicKey, verifyCoseSignature } from '../../../webauthn/coseKey.ts';
import { fromBase64url } from '../../../encoding/base64url.ts';
import { PROBE_RP_ID, attempt, type CtapSession } from '../CtapSession.ts';

/**
 * The same key over its other interface (a key with USB and NFC, `--other-interface`): the
 * credential the probes made over the interface under test, asked for over the other one with a
 * getAssertion that needs no touch (up = false), its signature checked with the credential's key.
 * Nothing is created over the other interface.
 */
export async function probeOtherInterface(s: CtapSession, other: { device: CtapDevice; transport: string }, credentialId: Uint8Array, ev: CtapEvidence): Promise<OtherInterfaceProbe> {
  const info = other.device.info;
  if (!other.device.ctap2 || !info) return { transport: other.transport, skipped: `${other.transport} does not speak CTAP2`, notApplicable: true };
  const out: OtherInterfaceProbe = { transport: other.transport, aaguid: info.aaguidText };
  if (info.aaguidText !== s.info.aaguidText) return out;
  const clientDataHash = new Uint8Array(crypto.randomBytes(32));
  const r = await attempt(() => other.device.ctap2!.getAssertion({ rpId: PROBE_RP_ID, clientDataHash, allowList: [{ type: 'public-key', id: credentialId }], options: { up: false } }));
  out.assertion = { status: r.status };
  if (r.value) {
    const made = ev.probeAuthData ? parseAuthenticatorData(fromBase64url(ev.probeAuthData, 'probeAuthData'), { allowTrailing: true }).attestedCredentialData : undefined;
    out.assertion.sameCredential = !r.value.credential || Buffer.from(r.value.credential.id).equals(Buffer.from(credentialId));
    if (made && Buffer.from(made.credentialId).equals(Buffer.from(credentialId))) {
      try {
        const key = coseKeyToPublicKey(made.publicKey);
        out.assertion.signatureVerifies = verifyCoseSignature(key.alg, key.keyObject, Buffer.concat([r.value.authData, clientDataHash]), r.value.signature);
      } catch {
        out.assertion.signatureVerifies = false;
      }
    }
  }
  return out;
}
