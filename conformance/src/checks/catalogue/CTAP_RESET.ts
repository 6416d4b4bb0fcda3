import { defineCheck } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP21, bare, ctapProbe, fidoTest, keySignalsTouch, verdict } from './ctapHelpers.ts';

export const CTAP_RESET = defineCheck({
  id: 'CTAP_RESET',
  title: 'authenticatorReset only just after power-up and after a touch; afterwards no credential and no PIN',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP21} §6.6 (authenticatorReset: CTAP2_ERR_NOT_ALLOWED later than 10 seconds after power-up; user presence required, CTAP2_ERR_USER_ACTION_TIMEOUT or OPERATION_DENIED without; every credential, the PIN and the PIN retries reset); FIDO CTAP 2.3 §6.4 (getInfo transportsForReset: the transports reset may be invoked over; longTouchForReset); ${fidoTest('Authr-Reset-1')}`,
  covers: ['Authr-Reset-1'],
  changesKey: { flag: '--allow-reset', what: 'the key wiped: every credential, the PIN, fingers, large blobs and the configuration' },
  needs: 'the reset probe (--allow-reset; a key the harness can power-cycle twice; the window waited out once)',
  fix: 'Refuse authenticatorReset with CTAP2_ERR_NOT_ALLOWED once 10 seconds have passed since power-up; within them, wait for a touch (KEEPALIVE UP_NEEDED) and then remove every credential, the PIN and the rest of the user data. Refuse it, keeping everything, over a transport transportsForReset does not list.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'reset');
    if (isResult(p)) return p;
    const problems: string[] = [];
    const refusedHere = p.transportsForReset !== undefined && p.transport !== undefined && !p.transportsForReset.includes(p.transport);
    if (refusedHere) {
      // transportsForReset does not list this transport: refused, even within the window, and nothing lost
      const list = p.transportsForReset!.join(', ') || 'none';
      if (bare(p.inWindow) === 'OK') problems.push(`reset over ${p.transport}, which transportsForReset (${list}) does not list, was done`);
      if (p.witnessAfter !== undefined && bare(p.witnessAfter) !== 'OK') problems.push(`after a reset over ${p.transport} that should have been refused, a credential made before: ${bare(p.witnessAfter)} (it should still work)`);
      return verdict(problems, { what: 'authenticatorReset over a transport getInfo does not list for it', expected: `refused over ${p.transport}; nothing lost`, ok: `refused over ${p.transport} (transportsForReset: ${list}) with ${bare(p.inWindow)}, credentials kept`, evidence: ['ctap:reset'] });
    }
    if (bare(p.late) !== 'CTAP2_ERR_NOT_ALLOWED') problems.push(`reset more than ${Number(((p.windowMs ?? 10_000) / 1000).toFixed(1))} s after power-up: ${bare(p.late) === 'OK' ? 'done' : bare(p.late)} (CTAP2_ERR_NOT_ALLOWED expected)`);
    if (p.inWindow !== undefined && !p.inWindow.startsWith('not tried')) {
      if (bare(p.inWindow) !== 'OK') problems.push(`reset right after power-up: ${bare(p.inWindow)}`);
      else if (!p.upNeeded && keySignalsTouch(ctx)) problems.push('reset right after power-up was done without asking for a touch');
    }
    if (p.clientPinAfter === true) problems.push('after the reset the key still has a PIN');
    if (p.witnessAfter !== undefined && bare(p.witnessAfter) !== 'CTAP2_ERR_NO_CREDENTIALS') problems.push(`a credential made before the reset: ${bare(p.witnessAfter) === 'OK' ? 'still works' : bare(p.witnessAfter)} after it (CTAP2_ERR_NO_CREDENTIALS expected)`);
    return verdict(problems, { what: 'authenticatorReset does not behave as CTAP 2.1 §6.6 says', expected: 'refused after the window; within it, a touch, then nothing left', ok: `refused after the window; within it a touch${p.longTouchForReset ? ' (a long one: longTouchForReset)' : ''}, then no credential and no PIN left`, evidence: ['ctap:reset'] });
  },
});
