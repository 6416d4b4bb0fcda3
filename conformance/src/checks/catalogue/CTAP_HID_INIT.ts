import { defineCheck, skip } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP21, ctapProbe, fidoTest, verdict } from './ctapHelpers.ts';

export const CTAP_HID_INIT = defineCheck({
  id: 'CTAP_HID_INIT',
  title: 'CTAPHID_INIT hands out a new channel each time, with the nonce, protocol version 2 and its capabilities',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP21} §11.2.9.1.3 (CTAPHID_INIT: the nonce echoed, a new channel identifier, CTAPHID protocol version 2, capability flags); ${fidoTest('HID-1 P-3, P-4')}`,
  covers: ['HID-1'],
  needs: 'the hid probe (three INITs on the broadcast channel)',
  fix: 'Answer INIT on the broadcast channel with the 8-byte nonce, a channel identifier never handed out before (never 0 nor 0xffffffff), protocol version 2, the device version and the capability flags.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'hid');
    if (isResult(p)) return p;
    if (!p.init) return skip('this run\'s hid probe did not try INIT (a run made before this check)');
    const problems: string[] = [];
    p.init.forEach((a, i) => {
      const n = `INIT ${i + 1}`;
      if (a.length < 17) problems.push(`${n}: ${a.length ? `${a.length}-byte answer (17 expected)` : 'no INIT answer'}`);
      else {
        if (!a.nonceEchoed) problems.push(`${n}: the nonce did not come back`);
        if (a.protocolVersion !== 2) problems.push(`${n}: protocol version ${a.protocolVersion} (2 expected)`);
        if (a.cid === 0 || a.cid === 0xffffffff) problems.push(`${n}: the reserved channel 0x${a.cid.toString(16)}`);
      }
    });
    const cids = p.init.filter((a) => a.length >= 17).map((a) => a.cid);
    if (new Set(cids).size !== cids.length) problems.push(`the same channel handed out twice (${cids.map((c) => `0x${c.toString(16).padStart(8, '0')}`).join(', ')})`);
    return verdict(problems, { what: 'CTAPHID_INIT does not allocate channels as CTAP 2.1 says', expected: 'three INITs: the nonce back, three different channels, version 2', ok: `three INITs: three new channels, nonces echoed, protocol version 2`, evidence: ['ctap:hid'] });
  },
});
