import { defineCheck, fail, pass, skip } from '../Check.ts';

export const HYG_UP_ALWAYS = defineCheck({
  id: 'HYG_UP_ALWAYS',
  title: 'User Present flag set in every ceremony',
  area: 'hygiene',
  severity: 'required',
  source: 'WebAuthn L3 §7.1 step 14, §7.2 step 16; CTAP 2.1 §6.1.2',
  needs: 'any ceremony',
  fix: 'Require a touch for every credential creation and assertion and set UP.',
  evaluate(ctx) {
    const all = [...ctx.registrations, ...ctx.assertions];
    if (!all.length) return skip('no ceremony succeeded');
    const bad = all.filter((v) => !v.parsed.authData.flags.UP);
    return bad.length ? fail('UP clear', 'UP=1 everywhere', bad.map((b) => b.ceremony.step).join(', '), bad.map((b) => b.ceremony.step)) : pass(`UP set in ${all.length} ceremonies`);
  },
});
