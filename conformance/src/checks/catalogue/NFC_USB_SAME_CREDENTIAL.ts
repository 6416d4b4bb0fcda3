import { defineCheck, fail, pass, skip } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP21, bare, ctapProbe, fidoTest } from './ctapHelpers.ts';

export const NFC_USB_SAME_CREDENTIAL = defineCheck({
  id: 'NFC_USB_SAME_CREDENTIAL',
  title: 'A key with USB and NFC: a credential made over one interface signs over the other',
  area: 'ctap',
  // one authenticator, several transports; no MUST says they share the credentials: a warning
  severity: 'recommended',
  source: `WebAuthn L3 §5.8.4 (AuthenticatorTransport: how a client may reach the authenticator holding a credential; an RP keeps getTransports() and sends it back in allowCredentials, so a platform offers NFC or USB for the same credential), ${CTAP21} §6.4 (getInfo transports: the transports of one authenticator); no clause makes a shared credential store a MUST, so this is a warning: a person who registered over USB and taps the key at a phone finds no account; ${fidoTest('NFC-1')}`,
  covers: ['NFC-1'],
  needs: 'the otherInterface probe (check --ctap with --other-interface: the same key over its other transport)',
  fix: 'Keep one credential store (and one credential key wrapping) behind every interface of the key, so a credential made over USB is found and signs over NFC and back.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'otherInterface');
    if (isResult(p)) return p;
    const here = ctx.ctap?.info?.aaguidText;
    if (!p.assertion) return skip(`the device given as the other interface (${p.transport}) is another key (AAGUID ${p.aaguid}${here ? `, this one ${here}` : ''}): nothing to compare`);
    const a = p.assertion;
    const problems: string[] = [];
    if (a.status !== 'OK') problems.push(`getAssertion over ${p.transport} for the credential made over this interface answered ${bare(a.status)}`);
    else {
      if (a.sameCredential === false) problems.push(`over ${p.transport} the key answered with another credential`);
      if (a.signatureVerifies === false) problems.push(`over ${p.transport} the assertion's signature does not verify with the credential's public key`);
    }
    return problems.length
      ? fail('a credential made over one interface does not work over the other', `the credential signs over ${p.transport} too`, problems.join('; '), ['ctap:otherInterface'])
      : pass(`the credential made here signs over ${p.transport} too, its signature verified`, ['ctap:otherInterface']);
  },
});
