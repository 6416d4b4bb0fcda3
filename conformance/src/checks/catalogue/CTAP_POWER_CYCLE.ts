import { defineCheck, skip } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP21, bare, ctapProbe, fidoTest, verdict } from './ctapHelpers.ts';

export const CTAP_POWER_CYCLE = defineCheck({
  id: 'CTAP_POWER_CYCLE',
  title: 'A power cycle keeps credentials, counters and spent PIN retries, and ends the tokens issued before it',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP21} §6.5.2.1 (a new pinUvAuthToken is generated at power-up), §6.5.5.2 (pinRetries are kept across power cycles), WebAuthn L3 §6.1.1 (the signature counter never decreases); ${fidoTest('ClientPin1-GetRetries', 'ClientPin2-GetRetries', 'ResidentKey')}`,
  covers: ['ClientPin1-GetRetries', 'ClientPin2-GetRetries'],
  needs: 'the powerCycle probe: a key the harness can power-cycle (a simulator, the software key, a USB key replugged when asked, or --power-cycle-hook)',
  fix: 'Keep credentials, signature counters and pinRetries in non-volatile memory; make a new pinUvAuthToken (and key agreement) at every power-up.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'powerCycle');
    if (isResult(p)) return p;
    if (!p.cycled) return skip('the key was not power-cycled');
    const problems: string[] = [];
    if (p.credentialAfter !== undefined && bare(p.credentialAfter) !== 'OK') problems.push(`a credential made before the power cycle: ${bare(p.credentialAfter)} after it`);
    if (p.discoverableAfter !== undefined && bare(p.discoverableAfter) !== 'OK') problems.push(`a discoverable credential made before the power cycle: ${bare(p.discoverableAfter)} after it`);
    // a counter that does not move is HYG_SIGN_COUNT's finding; going back is losing state
    if (p.counterBefore !== undefined && p.counterAfter !== undefined && p.counterAfter < p.counterBefore) problems.push(`the signature counter went back from ${p.counterBefore} to ${p.counterAfter} across the power cycle`);
    if (p.oldToken !== undefined && bare(p.oldToken) === 'OK') problems.push('a token issued before the power cycle still worked after it');
    if (p.retriesAfterWrong !== undefined && p.retriesAfterCycle !== undefined && p.retriesAfterCycle > p.retriesAfterWrong) problems.push(`PIN retries ${p.retriesAfterWrong} after a wrong PIN became ${p.retriesAfterCycle} after the power cycle (the spent retry came back)`);
    if (p.restoreError) problems.push(`the right PIN after the power cycle: ${bare(p.restoreError)}`);
    return verdict(problems, { what: 'the key does not keep what a power cycle must keep, or keeps what it must end', expected: 'credentials, counters and spent retries kept; old tokens ended', ok: `credentials and counters kept${p.retriesAfterCycle !== undefined ? ', a spent PIN retry stayed spent' : ''}${p.oldToken !== undefined ? ', the old token refused' : ''}`, evidence: ['ctap:powerCycle'] });
  },
});
