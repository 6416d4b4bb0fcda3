import { defineCheck, fail, pass } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP21, bare, ctapProbe, fidoTest, keySignalsTouch } from './ctapHelpers.ts';

export const CTAP_EXCLUDE_LIST = defineCheck({
  id: 'CTAP_EXCLUDE_LIST',
  title: 'excludeList honoured: CTAP2_ERR_CREDENTIAL_EXCLUDED for a credential the key holds',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP21} §6.1.2 step 12 (excludeList: user presence collected, then CTAP2_ERR_CREDENTIAL_EXCLUDED, so a site cannot probe silently); ${fidoTest('Authr-MakeCred-Req-5')}; WebAuthn L3 §5.1.3 (excludeCredentials: what stops a second registration of the same key, on Windows and every RP)`,
  covers: ['Authr-MakeCred-Req-5'],
  needs: 'the excludeList probe',
  fix: 'In makeCredential, look up every excludeList entry for the request\'s RP (including non-discoverable credentials by their ID) and answer CTAP2_ERR_CREDENTIAL_EXCLUDED, after collecting user presence, without creating anything.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'excludeList');
    if (isResult(p)) return p;
    // a site must not learn silently which credentials the key holds: the touch comes first
    // (unless the request's token came from built-in UV, whose touch it carries)
    if (bare(p.status) === 'CTAP2_ERR_CREDENTIAL_EXCLUDED' && p.upNeeded === false && keySignalsTouch(ctx) && p.verifiedBy !== 'uv' && p.verifiedBy !== 'uv-option') return fail('the key answered CTAP2_ERR_CREDENTIAL_EXCLUDED without asking for a touch', 'a touch, then CTAP2_ERR_CREDENTIAL_EXCLUDED (§6.1.2 step 12)', 'no KEEPALIVE UP_NEEDED before the answer', ['ctap:excludeList']);
    return bare(p.status) === 'CTAP2_ERR_CREDENTIAL_EXCLUDED'
      ? pass('refused with CTAP2_ERR_CREDENTIAL_EXCLUDED after a touch', ['ctap:excludeList'])
      : fail(p.status === 'OK' ? 'the key made a second credential despite excludeList' : 'excludeList answered the wrong status', 'CTAP2_ERR_CREDENTIAL_EXCLUDED', bare(p.status), ['ctap:excludeList']);
  },
});
