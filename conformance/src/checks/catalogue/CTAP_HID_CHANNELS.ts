import { defineCheck } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP21, ctapProbe, fidoTest, hidAnswerText, hidErrorIs, verdict } from './ctapHelpers.ts';

export const CTAP_HID_CHANNELS = defineCheck({
  id: 'CTAP_HID_CHANNELS',
  title: 'CTAPHID channels: one message at a time (others busy), INIT resynchronises, long messages reassembled',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP21} §11.2.3 (channels; one transaction at a time, ERR_CHANNEL_BUSY to the others), §11.2.4 (message and packet structure; a transaction left unfinished is backed out of, the device returns to idle), §11.2.9.1.6 (ERR_MSG_TIMEOUT), §11.2.9.1.3 (CTAPHID_INIT on an allocated channel resynchronises it); ${fidoTest('HID-1 P-5, P-6, P-7, P-8')}`,
  covers: ['HID-1'],
  needs: 'the hid probe',
  fix: 'While a message is being received on one channel, answer another channel\'s message with ERR_CHANNEL_BUSY and finish the first; on INIT for a known channel abandon whatever it was doing and answer with the same channel and the nonce; reassemble continuation packets in sequence, ignoring those of other channels; give up on a message whose continuation does not come (ERR_MSG_TIMEOUT) and serve the other channels again.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'hid');
    if (isResult(p)) return p;
    const problems: string[] = [];
    if (!p.resync?.answered) problems.push('INIT in the middle of a message got no answer');
    else if (!p.resync.sameChannel) problems.push('INIT on our channel answered with another channel');
    else if (!p.resync.pingAfter) problems.push('after the INIT, the channel did not work');
    if (!p.longPing?.echoed) problems.push(`a ${p.longPing?.length ?? 1024}-byte PING did not come back byte for byte`);
    if (p.leadingZeroPing === false) problems.push('a 1024-byte PING starting with a zero byte did not come back byte for byte');
    if (p.busy) {
      if (!hidErrorIs(p.busy.other, 'CTAP1_ERR_CHANNEL_BUSY')) problems.push(`another channel's message while ours was half received got ${hidAnswerText(p.busy.other)} (ERR_CHANNEL_BUSY expected)`);
      if (!p.busy.oursEchoed) problems.push('our half-received message did not complete intact after the other channel was turned away (and sent a continuation packet of its own)');
    }
    const st = p.stalled;
    if (st && st.freedAfterMs === undefined) problems.push(`a message left half sent kept the key from other channels for ${st.limitMs / 1000} s (last answer: ${hidAnswerText(st.otherLast)}); the device must back out of an unfinished transaction`);
    const stallText = !st ? '' : `; a half-sent message ${st.answer.kind === 'silent' ? 'dropped silently' : `answered ${hidAnswerText(st.answer)} after ${st.answeredAfterMs} ms`}, other channels served again after ${st.freedAfterMs} ms`;
    return verdict(problems, { what: 'CTAPHID channels are not kept apart as CTAP 2.1 says', expected: 'ERR_CHANNEL_BUSY to a second channel, a resynchronising INIT, long messages intact', ok: `another channel told busy while ours was half received; INIT resynchronised; 1024-byte PINGs echoed${stallText}`, evidence: ['ctap:hid'] });
  },
});
