import { defineCheck, fail, pass } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP21, bare, ctapProbe } from './ctapHelpers.ts';

export const CTAP_HID_UNALLOCATED_CHANNEL = defineCheck({
  id: 'CTAP_HID_UNALLOCATED_CHANNEL',
  title: 'A channel the key never handed out is refused with ERR_INVALID_CHANNEL',
  area: 'ctap',
  // CTAP 2.1 allocates channels with INIT but does not say a MUST about traffic on others: a warning
  severity: 'recommended',
  source: `${CTAP21} §11.2.3 (channels are allocated by CTAPHID_INIT), §11.2.9.1.6 (ERR_INVALID_CHANNEL); no MUST requires refusing an unallocated channel, so this is a warning: a key that answers strangers lets one application's traffic be mistaken for another's`,
  covers: ['HID-1'],
  needs: 'the hid probe',
  fix: 'Keep the channels handed out by INIT and answer a packet on any other channel with CTAPHID_ERROR ERR_INVALID_CHANNEL.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'hid');
    if (isResult(p)) return p;
    const w = p.wrongChannel;
    if (w?.answer === 'error' && bare(w.code) === 'CTAP1_ERR_INVALID_CHANNEL') return pass('a PING on a channel never handed out: ERR_INVALID_CHANNEL', ['ctap:hid']);
    return fail('the key does not refuse a channel it never handed out', 'CTAPHID_ERROR ERR_INVALID_CHANNEL', w?.answer === 'answered' ? 'the PING was answered' : w?.answer === 'error' ? bare(w.code) : 'no answer', ['ctap:hid']);
  },
});
