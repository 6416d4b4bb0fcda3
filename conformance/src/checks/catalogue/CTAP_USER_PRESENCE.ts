import { defineCheck, fail, pass } from '../Check.ts';
import { KEEPALIVE } from '../../ctap/constants.ts';
import { isResult } from './helpers.ts';
import { CTAP21, bare, ctapProbe } from './ctapHelpers.ts';

export const CTAP_USER_PRESENCE = defineCheck({
  id: 'CTAP_USER_PRESENCE',
  title: 'User presence: KEEPALIVE UP_NEEDED while waiting, UP set only after a touch',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP21} §11.2.9.2.1 (CTAPHID_KEEPALIVE, STATUS_UPNEEDED), §6.2.2 (getAssertion "up" option), §5 (terminology, evidence of user interaction over NFC: bringing a key without another gesture into the reader's field is the presence), WebAuthn L3 §6.1 (UP flag); Windows shows "touch your security key" from UP_NEEDED`,
  covers: ['HID-1', 'NFC-1', 'Authr-GetAssertion-Req-2'],
  needs: 'the userPresence probe',
  fix: 'While waiting for a touch, send CTAPHID_KEEPALIVE with STATUS_UPNEEDED at least every 100 ms; set UP in authenticator data only when the person touched, and never for a request with up = false.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'userPresence');
    if (isResult(p)) return p;
    const problems: string[] = [];
    if (p.touched?.status !== 'OK') problems.push(`getAssertion with a touch answered ${bare(p.touched?.status)}`);
    else {
      if (!p.overNfc && !p.touched.keepalives.includes(KEEPALIVE.UP_NEEDED)) problems.push('no KEEPALIVE UP_NEEDED while the key waited for the touch (a platform cannot tell the person to touch it)');
      if (!p.touched.up) problems.push('UP not set after the touch');
    }
    if (p.silent?.status === 'OK' && p.silent.up) problems.push(p.overNfc ? 'UP set for a getAssertion with up = false over NFC (the tap is the presence only for a request that asks for presence)' : 'UP set for a getAssertion with up = false (nobody touched)');
    return problems.length ? fail('user presence is not signalled as CTAP 2.1 says', 'UP_NEEDED keepalives while waiting; UP exactly when touched', problems.join('; '), ['ctap:userPresence']) : pass(p.overNfc ? 'over NFC the tap is the presence: UP set with it, not without it' : 'UP_NEEDED while waiting; UP after the touch, not without it', ['ctap:userPresence']);
  },
});
