import { defineCheck, notApplicable, skip } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP21, ctapProbe, fidoTest, hidAnswerText, hidErrorIs, verdict } from './ctapHelpers.ts';
import { CTAPHID } from '../../ctap/constants.ts';

export const CTAP_HID_WINK_LOCK = defineCheck({
  id: 'CTAP_HID_WINK_LOCK',
  title: 'CTAPHID_WINK works when advertised; CTAPHID_LOCK, when implemented, keeps other channels out until released',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP21} §11.2.9.2.1 (CTAPHID_WINK: implemented when CAPABILITY_WINK is set), §11.2.9.2.2 (CTAPHID_LOCK: other channels get ERR_CHANNEL_BUSY while the lock is held); ${fidoTest('HID-1 P-12, P-13, P-14')}`,
  covers: ['HID-1'],
  needs: 'the hid probe',
  fix: 'Implement CTAPHID_WINK whenever INIT sets CAPABILITY_WINK (or clear the flag); if CTAPHID_LOCK is implemented, answer every other channel with ERR_CHANNEL_BUSY while the lock is held and release it on LOCK 0.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'hid');
    if (isResult(p)) return p;
    if (!p.wink || !p.lock) return skip('this run\'s hid probe did not try WINK and LOCK (a run made before this check)');
    const lockImplemented = p.lock.answer.kind === 'message';
    if (!p.wink.advertised && !lockImplemented) return notApplicable('the key advertises no WINK and does not implement LOCK (both optional)');
    const problems: string[] = [];
    if (p.wink.advertised && !(p.wink.answer?.kind === 'message' && p.wink.answer.cmd === CTAPHID.WINK)) problems.push(`CAPABILITY_WINK is advertised, CTAPHID_WINK got ${hidAnswerText(p.wink.answer)}`);
    if (lockImplemented) {
      if (!hidErrorIs(p.lock.otherWhileLocked, 'CTAP1_ERR_CHANNEL_BUSY')) problems.push(`while our channel held the lock, INIT on the broadcast channel got ${hidAnswerText(p.lock.otherWhileLocked)} (ERR_CHANNEL_BUSY expected)`);
      if (p.lock.unlock?.kind !== 'message') problems.push(`LOCK 0 (release) got ${hidAnswerText(p.lock.unlock)}`);
      else if (!p.lock.otherAfterUnlock) problems.push('after the release, INIT on the broadcast channel still did not work');
    }
    return verdict(problems, { what: 'WINK or LOCK does not behave as CTAP 2.1 says', expected: 'WINK answered when advertised; LOCK keeping other channels busy until released', ok: [p.wink.advertised ? 'WINK answered' : 'WINK not advertised', lockImplemented ? 'LOCK kept another channel busy and released it' : 'LOCK not implemented (optional)'].join('; '), evidence: ['ctap:hid'] });
  },
});
