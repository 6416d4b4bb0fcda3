import { defineCheck, fail, pass } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP21, bare, ctapProbe } from './ctapHelpers.ts';

export const CTAP_HID_CHANNELS = defineCheck({
  id: 'CTAP_HID_CHANNELS',
  title: 'CTAPHID channels: a stranger\'s channel refused, INIT resynchronises, long messages reassembled',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP21} §11.2.3 (channels), §11.2.4 (message and packet structure), §11.2.9.1.3 (CTAPHID_INIT resynchronisation), §11.2.9.1.6 (ERR_INVALID_CHANNEL): every application on the machine shares the key through its own channel`,
  needs: 'the hid probe',
  fix: 'Answer a packet on a channel the key never allocated with CTAPHID_ERROR ERR_INVALID_CHANNEL; on INIT for a known channel abandon whatever it was doing and answer with the same channel and the nonce; reassemble continuation packets in sequence.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'hid');
    if (isResult(p)) return p;
    const problems: string[] = [];
    if (p.wrongChannel?.answer !== 'error' || bare(p.wrongChannel.code) !== 'CTAP1_ERR_INVALID_CHANNEL') problems.push(p.wrongChannel?.answer === 'answered' ? 'a PING on a channel the key never allocated was answered' : `a packet on an unallocated channel: ${p.wrongChannel?.answer === 'error' ? bare(p.wrongChannel.code) : 'no answer'} (ERR_INVALID_CHANNEL expected)`);
    if (!p.resync?.answered) problems.push('INIT in the middle of a message got no answer');
    else if (!p.resync.sameChannel) problems.push('INIT on our channel answered with another channel');
    else if (!p.resync.pingAfter) problems.push('after the INIT, the channel did not work');
    if (!p.longPing?.echoed) problems.push(`a ${p.longPing?.length ?? 1024}-byte PING did not come back byte for byte`);
    return problems.length ? fail('CTAPHID channels are not kept apart as CTAP 2.1 says', 'ERR_INVALID_CHANNEL for strangers, resynchronising INIT, long messages intact', problems.join('; '), ['ctap:hid']) : pass('unallocated channel refused; INIT resynchronised; a 1024-byte PING echoed', ['ctap:hid']);
  },
});
