import { defineCheck, notApplicable } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP23, ctapProbe, fidoTest, verdict } from './ctapHelpers.ts';

export const CTAP_HMAC_SECRET_MC = defineCheck({
  id: 'CTAP_HMAC_SECRET_MC',
  title: 'hmac-secret-mc: the output at makeCredential is the one getAssertion gives later for the same salt',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP23} §12.8 (hmac-secret-mc: the hmac-secret computation at makeCredential, with the CredRandom the credential's assertions use for the same user-verification state); WebAuthn L3 §10.1.4 (prf at create); ${fidoTest('hmacSecretMC')}`,
  covers: ['hmacSecretMC'],
  needs: 'the credentialExtensions probe (a key listing hmac-secret-mc)',
  fix: 'Compute the hmac-secret-mc output with the CredRandom the new credential will use at getAssertion for the same UV state, encrypted for the request\'s shared secret.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'credentialExtensions');
    if (isResult(p)) return p;
    const m = p.hmacSecretMc;
    if (!m) return notApplicable('getInfo does not list hmac-secret-mc');
    const problems: string[] = [];
    if (m.error) problems.push(`the probe broke off: ${m.error}`);
    else if (!m.atCreate) problems.push('no hmac-secret-mc output at makeCredential');
    else if (!m.atGet) problems.push('no hmac-secret output at getAssertion');
    else if (m.uv !== m.getUv) problems.push('the two ceremonies could not be made with the same user-verification state');
    else if (m.atCreate !== m.atGet) problems.push('the output at makeCredential differs from the output getAssertion gives for the same salt and UV state');
    return verdict(problems, { what: 'hmac-secret-mc does not give the credential\'s own output', expected: 'the makeCredential output equal to getAssertion\'s for the same salt', ok: `the same output at makeCredential and getAssertion (UV ${m.uv ? 'on' : 'off'})`, evidence: ['ctap:credentialExtensions'] });
  },
});
