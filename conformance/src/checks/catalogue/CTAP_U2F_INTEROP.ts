import crypto from 'node:crypto';
import { defineCheck, fail, pass } from '../Check.ts';
import { fromBase64url } from '../../encoding/base64url.ts';
import { parseRegistration } from '../../ctap/ctap1/Ctap1Client.ts';
import { isResult } from './helpers.ts';
import { CTAP21, bare, ctapProbe } from './ctapHelpers.ts';

/** An uncompressed P-256 point as a KeyObject (SPKI prefix + point). */
function p256(point: Uint8Array): crypto.KeyObject {
  const spki = Buffer.concat([Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex'), point]);
  return crypto.createPublicKey({ key: spki, format: 'der', type: 'spki' });
}
const verify = (key: crypto.KeyObject, data: Uint8Array, sig: Uint8Array) => {
  try {
    return crypto.verify('sha256', data, key, sig);
  } catch {
    return false;
  }
};

export const CTAP_U2F_INTEROP = defineCheck({
  id: 'CTAP_U2F_INTEROP',
  title: 'CTAP1/U2F interop: register and authenticate verify; credentials cross between U2F and CTAP2',
  area: 'ctap',
  severity: 'recommended',
  source: `${CTAP21} §11 (interoperating with CTAP1/U2F authenticators), §10.3; FIDO U2F raw message formats v1.2 §4.3, §5.4`,
  needs: 'the u2f probe (keys that list U2F_V2)',
  fix: 'Sign U2F registrations over 0x00 | application | challenge | key handle | public key with the attestation key, authentications over application | presence | counter | challenge with the credential key; accept U2F key handles in CTAP2 getAssertion, and CTAP2 credentials that could be U2F ones (ES256, not discoverable) in U2F_AUTHENTICATE.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'u2f');
    if (isResult(p)) return p;
    const problems: string[] = [];
    let userKey: crypto.KeyObject | undefined;
    if (p.register?.status !== 'OK' || !p.register.response) problems.push(`U2F_REGISTER answered ${bare(p.register?.status)}`);
    else {
      try {
        const r = parseRegistration(fromBase64url(p.register.response, 'register'));
        userKey = p256(r.publicKey);
        const signed = Uint8Array.from([0x00, ...fromBase64url(p.register.appParam, 'app'), ...fromBase64url(p.register.challengeParam, 'challenge'), ...r.keyHandle, ...r.publicKey]);
        if (!verify(new crypto.X509Certificate(r.certificate).publicKey, signed, r.signature)) problems.push('the U2F registration signature does not verify with its attestation certificate');
      } catch (e) {
        problems.push(`the U2F registration does not parse: ${(e as Error).message}`);
      }
    }
    if (p.authenticate?.status !== 'OK' || !p.authenticate.response) problems.push(`U2F_AUTHENTICATE answered ${bare(p.authenticate?.status)}`);
    else if (userKey && p.register) {
      const a = fromBase64url(p.authenticate.response, 'authenticate');
      const signed = Uint8Array.from([...fromBase64url(p.register.appParam, 'app'), ...a.subarray(0, 5), ...fromBase64url(p.authenticate.challengeParam, 'challenge')]);
      if (!(a[0]! & 0x01)) problems.push('U2F_AUTHENTICATE without the user-presence bit');
      if (!verify(userKey, signed, a.subarray(5))) problems.push('the U2F authentication signature does not verify with the registered key');
    }
    if (p.viaCtap2?.status !== 'OK' || !p.viaCtap2.authData) problems.push(`the U2F credential through CTAP2 getAssertion: ${bare(p.viaCtap2?.status ?? 'not tried')}`);
    else if (userKey && !verify(userKey, Uint8Array.from([...fromBase64url(p.viaCtap2.authData, 'authData'), ...fromBase64url(p.viaCtap2.clientDataHash, 'hash')]), fromBase64url(p.viaCtap2.signature!, 'signature'))) problems.push('the CTAP2 assertion with the U2F credential does not verify');
    if (p.ctap2ViaU2f && !p.ctap2ViaU2f.sw.includes('0x6985')) problems.push(`a CTAP2 credential checked through U2F answered ${p.ctap2ViaU2f?.sw ?? 'nothing'} (SW_CONDITIONS_NOT_SATISFIED expected: "this key handle is mine")`);
    return problems.length ? fail('CTAP1/U2F interop is broken', 'verifying U2F signatures and credentials usable across CTAP1 and CTAP2', problems.join('; '), ['ctap:u2f']) : pass('U2F register and authenticate verify; credentials cross between U2F and CTAP2', ['ctap:u2f']);
  },
});
