import { defineCheck, notApplicable } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP23, bare, ctapProbe, fidoTest, verdict } from './ctapHelpers.ts';

export const CTAP_THIRD_PARTY_PAYMENT = defineCheck({
  id: 'CTAP_THIRD_PARTY_PAYMENT',
  title: 'thirdPartyPayment: true for the credential made for payment, false for the others',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP23} §12.9 (thirdPartyPayment: the credential is marked at makeCredential; getAssertion with the extension reports whether it is); W3C Secure Payment Confirmation; ${fidoTest('thirdPartyPayment')}`,
  covers: ['thirdPartyPayment'],
  needs: 'the credentialExtensions probe (a key listing thirdPartyPayment and keeping discoverable credentials)',
  fix: 'Keep the thirdPartyPayment mark with the credential made with the extension, and answer getAssertion\'s thirdPartyPayment with true for it and false for every other credential.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'credentialExtensions');
    if (isResult(p)) return p;
    const t = p.thirdPartyPayment;
    if (!t) return notApplicable('getInfo does not list thirdPartyPayment (or the key keeps no discoverable credentials)');
    const problems: string[] = [];
    if (bare(t.status) !== 'OK') problems.push(`makeCredential with thirdPartyPayment: ${bare(t.status)}`);
    if (t.paid !== true) problems.push(`the credential made for payment: thirdPartyPayment ${t.paid === undefined ? 'absent' : String(t.paid)} (true expected)`);
    if (t.notPaid !== false) problems.push(`a credential made without it: thirdPartyPayment ${t.notPaid === undefined ? 'absent' : String(t.notPaid)} (false expected)`);
    return verdict(problems, { what: 'thirdPartyPayment does not report the payment credential', expected: 'true for the payment credential, false for the other', ok: 'true for the payment credential, false for the other', evidence: ['ctap:credentialExtensions'] });
  },
});
