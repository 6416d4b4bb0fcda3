import { defineCheck, skip } from '../Check.ts';
import { isResult } from './helpers.ts';
import type { HidAnswer } from '../ctap/CtapEvidence.ts';
import { CTAP21, ctapProbe, fidoTest, hidAnswerText, hidErrorIs, verdict } from './ctapHelpers.ts';

export const CTAP_HID_ERRORS = defineCheck({
  id: 'CTAP_HID_ERRORS',
  title: 'Malformed CTAPHID messages get CTAPHID_ERROR with the right code',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP21} §11.2.4 (packets: continuation sequence, ERR_INVALID_SEQ; lengths), §11.2.9.1.6 (CTAPHID_ERROR: ERR_INVALID_CMD, ERR_INVALID_LEN, ERR_INVALID_SEQ, ERR_INVALID_CHANNEL); ${fidoTest('HID-1 P-2, F-1, F-2, F-3, F-4')}`,
  covers: ['HID-1'],
  needs: 'the hid probe',
  fix: 'Answer INIT on channel 0 and any command but INIT on the broadcast channel with ERR_INVALID_CHANNEL, an unknown command with ERR_INVALID_CMD, a length over 7609 bytes with ERR_INVALID_LEN and a continuation packet out of sequence with ERR_INVALID_SEQ; ignore a continuation packet no message announced.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'hid');
    if (isResult(p)) return p;
    if (!p.cidZero) return skip('this run\'s hid probe did not send malformed messages (a run made before this check)');
    const problems: string[] = [];
    const want = (what: string, a: HidAnswer | undefined, code: string) => {
      if (!hidErrorIs(a, code)) problems.push(`${what}: ${hidAnswerText(a)} (${code} expected)`);
    };
    want('INIT on channel 0', p.cidZero, 'CTAP1_ERR_INVALID_CHANNEL');
    want('PING on the broadcast channel', p.broadcastPing, 'CTAP1_ERR_INVALID_CHANNEL');
    want('an unassigned CTAPHID command (0x2a)', p.unknownCommand, 'CTAP1_ERR_INVALID_COMMAND');
    want('continuation packets out of sequence', p.badSequence, 'CTAP1_ERR_INVALID_SEQ');
    want('a message declaring 7610 bytes', p.oversized, 'CTAP1_ERR_INVALID_LENGTH');
    if (p.unsolicitedContinuation && p.unsolicitedContinuation.kind !== 'silent') problems.push(`a continuation packet no message announced: ${hidAnswerText(p.unsolicitedContinuation)} (ignored expected)`);
    return verdict(problems, { what: 'malformed CTAPHID messages are not answered as CTAP 2.1 says', expected: 'CTAPHID_ERROR with the code CTAP 2.1 names for each', ok: 'channel 0, the broadcast channel, an unknown command, a bad sequence and an oversized length each refused with its code; a stray continuation ignored', evidence: ['ctap:hid'] });
  },
});
