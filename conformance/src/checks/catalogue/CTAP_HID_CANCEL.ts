import { defineCheck, fail, pass, skip } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP21, bare, ctapProbe, fidoTest } from './ctapHelpers.ts';
import { CANCEL_WAIT_MS } from '../ctap/CtapEvidence.ts';

export const CTAP_HID_CANCEL = defineCheck({
  id: 'CTAP_HID_CANCEL',
  title: 'CTAPHID_CANCEL during a touch wait answers CTAP2_ERR_KEEPALIVE_CANCEL',
  area: 'ctap',
  severity: 'recommended',
  source: `${CTAP21} §11.2.9.1.5 (CTAPHID_CANCEL); ${fidoTest('HID-1 P-9, P-10')}; what a browser sends when the person closes the dialog or another key was touched`,
  covers: ['HID-1'],
  needs: 'the cancel probe (the key left alone while it blinks)',
  fix: 'While waiting for user presence, watch for CTAPHID_CANCEL on the request\'s channel and end the request with CTAP2_ERR_KEEPALIVE_CANCEL at once.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'cancel');
    if (isResult(p)) return p;
    if (p.touchedFirst) return skip(`the key was touched as the CANCEL arrived, ${p.tries} times: leave it alone while it blinks during this probe`);
    // a key that never said it waited for a touch cannot show whether CANCEL ends such a wait
    // (its missing KEEPALIVE is CTAP_USER_PRESENCE's finding)
    if (!p.sawUpNeeded && bare(p.status) !== 'CTAP2_ERR_KEEPALIVE_CANCEL') return skip(`the key never sent KEEPALIVE UP_NEEDED (its user presence is instant, or it does not say it waits): a CANCEL during a touch wait cannot be observed; it answered ${bare(p.status)}`);
    if (bare(p.status) === 'CTAP2_ERR_KEEPALIVE_CANCEL') return pass(`cancelled while waiting for a touch: CTAP2_ERR_KEEPALIVE_CANCEL ${p.msAfterCancel ?? '?'} ms after the CANCEL`, ['ctap:cancel']);
    const actual = p.stillWaiting ? `no answer ${CANCEL_WAIT_MS} ms after the CANCEL: still waiting for a touch` : p.status === 'OK' ? `the request went on and succeeded ${p.msAfterCancel} ms after the CANCEL${(p.tries ?? 1) > 1 ? ` (${p.tries} tries)` : ''}` : `answered ${bare(p.status)}`;
    return fail('the key did not end the request on CTAPHID_CANCEL', 'CTAP2_ERR_KEEPALIVE_CANCEL at once', actual, ['ctap:cancel']);
  },
});
