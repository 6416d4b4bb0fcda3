import crypto from 'node:crypto';
import type { CanonicalValue } from '../../../cbor/encodeCanonical.ts';
import { toBase64url } from '../../../encoding/base64url.ts';
import { PERMISSION } from '../../../ctap/constants.ts';
import { credBlob } from '../../../ctap/ctap2/extensions/credBlob.ts';
import { hmacSecret } from '../../../ctap/ctap2/extensions/hmacSecret.ts';
import { hmacSecretMc } from '../../../ctap/ctap2/extensions/hmacSecretMc.ts';
import { minPinLength } from '../../../ctap/ctap2/extensions/minPinLength.ts';
import { thirdPartyPayment } from '../../../ctap/ctap2/extensions/thirdPartyPayment.ts';
import { preferredProtocol } from '../../../ctap/ctap2/chooseVerification.ts';
import { parseAuthenticatorData } from '../../../webauthn/parseAuthenticatorData.ts';
import type { CredentialExtensionsProbe } from '../../../checks/ctap/CtapEvidence.ts';
import { PROBE_RP_ID, attempt, statusOf, type CtapSession } from '../CtapSession.ts';

const SALT = new Uint8Array(crypto.createHash('sha256').update('fido2-harness hmac-secret-mc salt').digest());
const exts = (authData: Uint8Array) => parseAuthenticatorData(authData, { allowTrailing: true }).extensions;

/**
 * The CTAP 2.1-2.3 extensions beyond hmac-secret and credProtect, each when getInfo lists it
 * (CTAP 2.3 §12.2 credBlob, §12.4 minPinLength, §12.8 hmac-secret-mc, §12.9 thirdPartyPayment;
 * the FIDO Extensions test group): credBlob kept and returned up to maxCredBlobLength and refused
 * beyond it, hmac-secret-mc outputs equal to what getAssertion gives later, thirdPartyPayment
 * reported for the credential made for payment only, minPinLength told only to RP IDs the key's
 * owner listed. Discoverable credentials on the probes' RP, removed at the end.
 */
export async function probeCredentialExtensions(s: CtapSession): Promise<CredentialExtensionsProbe> {
  const info = s.info;
  const out: CredentialExtensionsProbe = {};
  const rk = info.options.rk === true;
  if (credBlob.supported(info) && rk) {
    const max = credBlob.maxLength(info);
    const blob = new Uint8Array(crypto.randomBytes(max));
    const made = await attempt(() => s.makeCredential({ by: 'cred-blob', rk: true, extensions: new Map([[credBlob.name, credBlob.createInput(blob)]]) }));
    out.credBlob = { max, status: made.status };
    if (made.value) {
      out.credBlob.stored = credBlob.stored(exts(made.value.authData));
      const got = await attempt(() => s.getAssertion({ credentialIds: [made.value!.credentialId], extensions: new Map([[credBlob.name, credBlob.getInput()]]) }));
      const back = got.value ? credBlob.blob(exts(got.value.authData)) : undefined;
      out.credBlob.readBack = got.status !== 'OK' ? got.status : back === undefined ? 'none' : Buffer.from(back).equals(Buffer.from(blob)) ? 'same' : 'different';
    }
    const long = await attempt(() => s.makeCredential({ by: 'credBlob-too-long', rk: true, extensions: new Map([[credBlob.name, credBlob.createInput(new Uint8Array(crypto.randomBytes(max + 1)))]]) }));
    out.credBlob.tooLong = { status: long.status, ...(long.value ? { stored: credBlob.stored(exts(long.value.authData)) } : {}) };
  }
  const protocol = preferredProtocol(info);
  if (hmacSecretMc.supported(info) && protocol) {
    try {
      const session = await hmacSecret.session(s.ctap2, protocol, s.call());
      // the user-verification state is what the probe did (a token, or none), not what the UV flag claims
      const o = info.options;
      const uv = (o.clientPin === true || o.uv === true) && (o.makeCredUvNotRqd !== true || o.alwaysUv === true);
      const made = await s.makeCredential({ by: 'prf-at-create', verified: uv ? 'auto' : 'none', extensions: new Map<string, CanonicalValue>([[hmacSecret.name, hmacSecret.createInput()], [hmacSecretMc.name, hmacSecretMc.input(session, [SALT])]]) });
      const atCreate = hmacSecretMc.outputs(session, exts(made.authData)?.get(hmacSecretMc.name));
      out.hmacSecretMc = { uv, ...(atCreate ? { atCreate: toBase64url(atCreate.output1) } : {}) };
      // the same user-verification state later: the same CredRandom, so the same output
      const verified = uv ? await s.verified(PERMISSION.ga, PROBE_RP_ID) : undefined;
      const later = await hmacSecret.session(s.ctap2, protocol, s.call());
      const a = await s.getAssertion({ credentialIds: [made.credentialId], verified, extensions: new Map([[hmacSecret.name, hmacSecret.input(later, [SALT])]]) });
      const atGet = hmacSecret.outputs(later, exts(a.authData)?.get(hmacSecret.name));
      if (atGet) out.hmacSecretMc.atGet = toBase64url(atGet.output1);
      out.hmacSecretMc.getUv = !!verified;
    } catch (e) {
      out.hmacSecretMc = { ...out.hmacSecretMc, error: statusOf(e) };
    }
  }
  if (thirdPartyPayment.supported(info) && rk) {
    const paid = await attempt(() => s.makeCredential({ by: 'payment', rk: true, extensions: new Map([[thirdPartyPayment.name, thirdPartyPayment.input()]]) }));
    const plain = await attempt(() => s.makeCredential({ by: 'not-payment', rk: true }));
    out.thirdPartyPayment = { status: paid.status };
    const ask = async (id: Uint8Array) => {
      const a = await attempt(() => s.getAssertion({ credentialIds: [id], extensions: new Map([[thirdPartyPayment.name, thirdPartyPayment.input()]]) }));
      return a.value ? thirdPartyPayment.value(exts(a.value.authData)) : undefined;
    };
    if (paid.value) out.thirdPartyPayment.paid = await ask(paid.value.credentialId);
    if (plain.value) out.thirdPartyPayment.notPaid = await ask(plain.value.credentialId);
  }
  if (minPinLength.supported(info)) {
    const made = await attempt(() => s.makeCredential({ by: 'min-pin-length', extensions: new Map([[minPinLength.name, minPinLength.input()]]) }));
    out.minPinLength = { status: made.status, ...(made.value ? { output: minPinLength.value(exts(made.value.authData)) } : {}) };
  }
  if (!out.credBlob && !out.hmacSecretMc && !out.thirdPartyPayment && !out.minPinLength) return { skipped: 'getInfo lists none of credBlob, hmac-secret-mc, thirdPartyPayment, minPinLength (or the key keeps no discoverable credentials)', notApplicable: true };
  return out;
}
