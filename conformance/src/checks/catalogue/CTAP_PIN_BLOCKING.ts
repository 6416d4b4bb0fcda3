import { defineCheck } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP21, bare, ctapProbe, fidoTest, verdict } from './ctapHelpers.ts';

export const CTAP_PIN_BLOCKING = defineCheck({
  id: 'CTAP_PIN_BLOCKING',
  title: 'Three wrong PINs block PIN entry until a power cycle, without spending more retries',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP21} §6.5.5.7 (getPinUvAuthTokenUsingPinWithPermissions step 9: after three consecutive mismatches, CTAP2_ERR_PIN_AUTH_BLOCKED until the authenticator is power-cycled; pinRetries not decremented meanwhile; the right PIN restores pinRetries to maximum); ${fidoTest('ClientPin1-GetRetries', 'ClientPin2-GetRetries', 'ClientPin2-GetPinToken')}`,
  covers: ['ClientPin1-GetRetries', 'ClientPin2-GetRetries', 'ClientPin2-GetPinToken'],
  changesKey: { flag: '--destructive', what: 'three PIN retries spent (the right PIN gives them back after the power cycle)' },
  needs: 'the pinBlocking probe (--destructive, the PIN given, five retries or more, a key the harness can power-cycle)',
  fix: 'Count consecutive wrong PINs since power-up; at the third answer CTAP2_ERR_PIN_AUTH_BLOCKED and keep answering it (right or wrong PIN, no retry spent) until the next power-up.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'pinBlocking');
    if (isResult(p)) return p;
    const problems: string[] = [];
    const w = (p.wrong ?? []).map(bare);
    if (w[0] !== 'CTAP2_ERR_PIN_INVALID' || w[1] !== 'CTAP2_ERR_PIN_INVALID') problems.push(`the first two wrong PINs: ${w.slice(0, 2).join(', ')} (CTAP2_ERR_PIN_INVALID expected)`);
    if (w[2] !== 'CTAP2_ERR_PIN_AUTH_BLOCKED') problems.push(`the third wrong PIN: ${w[2]} (CTAP2_ERR_PIN_AUTH_BLOCKED expected)`);
    if (bare(p.rightWhileBlocked) !== 'CTAP2_ERR_PIN_AUTH_BLOCKED') problems.push(`the right PIN while blocked: ${bare(p.rightWhileBlocked) === 'OK' ? 'accepted' : bare(p.rightWhileBlocked)} (CTAP2_ERR_PIN_AUTH_BLOCKED until a power cycle)`);
    if (bare(p.wrongWhileBlocked) !== 'CTAP2_ERR_PIN_AUTH_BLOCKED') problems.push(`a wrong PIN while blocked: ${bare(p.wrongWhileBlocked)} (CTAP2_ERR_PIN_AUTH_BLOCKED expected)`);
    if (p.retriesBlocked !== undefined && p.retriesAfterBlockedTries !== undefined && p.retriesAfterBlockedTries < p.retriesBlocked) problems.push(`PINs tried while blocked spent retries (${p.retriesBlocked} -> ${p.retriesAfterBlockedTries})`);
    if (bare(p.rightAfterCycle) !== 'OK') problems.push(`the right PIN after the power cycle: ${bare(p.rightAfterCycle)}`);
    else if (p.retriesBefore !== undefined && (p.retriesRestored ?? 0) < p.retriesBefore) problems.push(`retries ${p.retriesRestored} after the right PIN (back to ${p.retriesBefore} or more expected)`);
    return verdict(problems, { what: 'PIN entry is not blocked as CTAP 2.1 says', expected: 'PIN_AUTH_BLOCKED at the third wrong PIN and until a power cycle, no retries spent meanwhile', ok: `blocked at the third wrong PIN (${p.retriesBlocked} retries left), refused right and wrong PINs alike, lifted by the power cycle`, evidence: ['ctap:pinBlocking'] });
  },
});
