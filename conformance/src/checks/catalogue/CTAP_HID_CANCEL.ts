import { defineCheck, fail, pass, skip } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP21, bare, ctapProbe } from './ctapHelpers.ts';
import { CANCEL_WAIT_MS } from '../ctap/CtapEvidence.ts';

export const CTAP_HID_CANCEL = defineCheck({
  id: 'CTAP_HID_CANCEL',
  title: 'CTAPHID_CANCEL during a touch wait answers CTAP2_ERR_KEEPALIVE_CANCEL',
  area: 'ctap',
  severity: 'recommended',
  source: `${CTAP21} §11.2.9.1.5 (CTAPHID_CANCEL); what a browser sends when the person closes the dialog or another key was touched`,
  needs: 'the cancel probe (the key left alone while it blinks)',
  fix: 'While waiting for user presence, watch for CTAPHID_CANCEL on the request\'s channel and end the request with CTAP2_ERR_KEEPALIVE_CANCEL at once.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'cancel');
    if (isResult(p)) return p;
    if (p.touchedFirst) return skip(`the key was touched as the CANCEL arrived, ${p.tries} times: leave it alone while it blinks during this probe`);
    if (bare(p.status) === 'CTAP2_ERR_KEEPALIVE_CANCEL') return pass(`cancelled while waiting for a touch: CTAP2_ERR_KEEPALIVE_CANCEL ${p.msAfterCancel ?? '?'} ms after the CANCEL`, ['ctap:cancel']);
    const actual = p.stillWaiting ? `no answer ${CANCEL_WAIT_MS} ms after the CANCEL: still waiting for a touch` : p.status === 'OK' ? `the request went on and succeeded ${p.msAfterCancel} ms after the CANCEL` : `answered ${bare(p.status)}`;
    return fail('the key did not end the request on CTAPHID_CANCEL', 'CTAP2_ERR_KEEPALIVE_CANCEL at once', actual, ['ctap:cancel']);
  },
});
