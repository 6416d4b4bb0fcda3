import { defineCheck } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP21, bare, ctapProbe, verdict } from './ctapHelpers.ts';

/** Microsoft's page on the change (KB5073129). */
export const KB5073129 = 'Microsoft Support KB5073129, "Security keys might require a PIN after installing the September 2025 Windows preview update" (Windows 11 sets up a PIN during sign-in when an RP asks userVerification "preferred" and the key has none)';

export const CTAP_WIN_PIN_SETUP = defineCheck({
  id: 'CTAP_WIN_PIN_SETUP',
  title: 'Windows can set up the key\'s first PIN during a sign-in and sign in with it at once',
  area: 'ctap',
  severity: 'required',
  source: `${KB5073129}; ${CTAP21} §6.5.5.5 (setPIN), §6.5.5.7 (a token from the new PIN), §6.2.2 (getAssertion with it, UV set)`,
  covers: ['ClientPin1-NewPin', 'ClientPin2-NewPin'],
  changesKey: { flag: '--destructive', what: 'sets the key\'s first PIN (--set-pin); only a reset removes it' },
  needs: 'the pinSetup record: --set-pin --pin-env VAR on a key with no PIN',
  fix: 'After setPIN, issue tokens for the new PIN at once (no power cycle, no replug), and let a credential registered before the PIN existed sign in with user verification.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'pinSetup');
    if (isResult(p)) return p;
    const problems: string[] = [];
    if (bare(p.credential) !== 'OK') problems.push(`a credential before the PIN existed: ${bare(p.credential)}`);
    if (bare(p.token) !== 'OK') problems.push(`a token from the new PIN right after setPIN: ${bare(p.token)}${p.workedAfterPowerCycle ? ' (it worked only after a power cycle: Windows does not replug the key in the middle of a sign-in)' : ''}`);
    else if (p.assertion !== undefined && bare(p.assertion) !== 'OK') problems.push(`the sign-in with the new PIN: ${bare(p.assertion)}`);
    else if (p.uv === false) problems.push('the sign-in with the new PIN has the UV flag clear');
    return verdict(problems, { what: 'the key cannot be given its first PIN in the middle of a Windows sign-in', expected: 'setPIN, then a token from it and a user-verified sign-in, at once', ok: 'PIN set, a token from it at once, and a user-verified sign-in with a credential older than the PIN', evidence: ['ctap:pinSetup'] });
  },
});
