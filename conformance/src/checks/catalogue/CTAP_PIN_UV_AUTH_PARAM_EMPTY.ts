import { defineCheck, notApplicable, skip } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP21, bare, ctapInfo, ctapProbe, keySignalsTouch, verdict } from './ctapHelpers.ts';
import { PROTECTION_CASES } from '../ctap/requestCases.ts';

export const CTAP_PIN_UV_AUTH_PARAM_EMPTY = defineCheck({
  id: 'CTAP_PIN_UV_AUTH_PARAM_EMPTY',
  title: 'A zero-length pinUvAuthParam gets a touch, then PIN_NOT_SET or PIN_INVALID',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP21} §6.1.2 step 1 and §6.2.2 step 1 (a zero-length pinUvAuthParam: request evidence of user interaction, then CTAP2_ERR_PIN_NOT_SET if no PIN is set, else CTAP2_ERR_PIN_INVALID); what browsers and Windows send to let the person pick a key by touching it`,
  needs: 'the requests probe (two touches)',
  fix: 'When pinUvAuthParam is present and empty, wait for a touch (blink), then answer CTAP2_ERR_PIN_NOT_SET when no PIN is set and CTAP2_ERR_PIN_INVALID when one is; never process the request.',
  evaluate(ctx) {
    const info = ctapInfo(ctx);
    if (isResult(info)) return info;
    const p = ctapProbe(ctx, 'requests');
    if (isResult(p)) return p;
    if (info.options.clientPin === undefined && info.options.pinUvAuthToken !== true) return notApplicable('the key has neither clientPin nor pinUvAuthToken');
    const cases = p.cases ?? {};
    if (!cases['mc.emptyPinUvAuthParam']) return skip('this run has no zero-length pinUvAuthParam record (a run made before this check)');
    const want = info.options.clientPin === true ? 'CTAP2_ERR_PIN_INVALID' : 'CTAP2_ERR_PIN_NOT_SET';
    const problems: string[] = [];
    for (const id of ['mc.emptyPinUvAuthParam', 'ga.emptyPinUvAuthParam'] as const) {
      const r = cases[id];
      if (!r) continue;
      const c = PROTECTION_CASES[id];
      if (bare(r.status) !== want) problems.push(`${c.what}: ${bare(r.status)} (${want} expected, ${info.options.clientPin === true ? 'a PIN is set' : 'no PIN is set'}; ${c.clause})`);
      else if (!r.upNeeded && keySignalsTouch(ctx)) problems.push(`${c.what}: answered ${want} without asking for a touch first (${c.clause})`);
    }
    return verdict(problems, { what: 'the key does not answer a zero-length pinUvAuthParam as CTAP 2.1 says', expected: `a touch, then ${want}`, ok: `makeCredential and getAssertion with an empty pinUvAuthParam: a touch, then ${want}`, evidence: ['ctap:requests'] });
  },
});
