import { defineCheck } from '../Check.ts';
import { everyResponse } from './helpers.ts';

export const HYG_UP_ALWAYS = defineCheck({
  id: 'HYG_UP_ALWAYS',
  title: 'User Present flag set in every ceremony',
  area: 'hygiene',
  severity: 'required',
  source: 'WebAuthn L3 §7.1 step 14, §7.2 step 16; CTAP 2.1 §6.1.2',
  needs: 'any ceremony',
  fix: 'Require a touch for every credential creation and assertion and set UP.',
  evaluate: (ctx) => everyResponse(ctx, {
    broken: (v) => (v.parsed.authData.flags.UP ? undefined : ''),
    what: 'UP clear',
    expected: 'UP=1 everywhere',
    ok: (n) => `UP set in ${n} ceremonies`,
  }),
});
