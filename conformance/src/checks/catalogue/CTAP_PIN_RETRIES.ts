import { defineCheck, fail, pass } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP21, bare, ctapProbe } from './ctapHelpers.ts';

export const CTAP_PIN_RETRIES = defineCheck({
  id: 'CTAP_PIN_RETRIES',
  title: 'A wrong PIN is refused and costs one retry; the right PIN restores them',
  area: 'ctap',
  severity: 'recommended',
  source: `${CTAP21} §6.5.5.5 (getPINRetries), §6.5.5.7.2 steps on a wrong PIN (pinRetries decremented, CTAP2_ERR_PIN_INVALID) and on the right one (pinRetries reset to maximum)`,
  covers: ['ClientPin1-GetRetries', 'ClientPin2-GetRetries'],
  needs: 'the wrongPin probe: a key with a PIN, the PIN given (--pin-env), at least 4 retries left',
  fix: 'On a wrong PIN answer CTAP2_ERR_PIN_INVALID and decrement pinRetries before answering; on the right PIN reset pinRetries to its maximum.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'wrongPin');
    if (isResult(p)) return p;
    const problems: string[] = [];
    if (bare(p.wrong) !== 'CTAP2_ERR_PIN_INVALID') problems.push(`the wrong PIN answered ${bare(p.wrong)}`);
    if (p.retriesAfterWrong !== (p.retriesBefore ?? 0) - 1) problems.push(`retries ${p.retriesBefore} -> ${p.retriesAfterWrong} after a wrong PIN (one fewer expected)`);
    if (p.correct !== 'OK') problems.push(`the right PIN right after answered ${bare(p.correct)}`);
    else if ((p.retriesAfterCorrect ?? 0) < (p.retriesBefore ?? 0)) problems.push(`retries ${p.retriesAfterCorrect} after the right PIN (back to ${p.retriesBefore} or more expected)`);
    return problems.length
      ? fail('PIN retries do not behave as CTAP 2.1 says', 'CTAP2_ERR_PIN_INVALID, one retry fewer, restored by the right PIN', problems.join('; '), ['ctap:wrongPin'])
      : pass(`refused (${bare(p.wrong)}), retries ${p.retriesBefore} -> ${p.retriesAfterWrong} -> ${p.retriesAfterCorrect}`, ['ctap:wrongPin']);
  },
});
