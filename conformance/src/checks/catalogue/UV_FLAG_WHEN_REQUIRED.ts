import { defineCheck, fail, pass, skip } from '../Check.ts';
import { WINDOWS } from './helpers.ts';

export const UV_FLAG_WHEN_REQUIRED = defineCheck({
  id: 'UV_FLAG_WHEN_REQUIRED',
  title: 'Client PIN or built-in user verification works (UV flag set when required)',
  area: 'windows',
  severity: 'required',
  source: `${WINDOWS}: client PIN; WebAuthn L3 §7.1 step 15, §7.2 step 17`,
  needs: 'ceremonies with userVerification "required"',
  fix: 'Support clientPin (CTAP 2.1 §6.5) or built-in UV, and set the UV flag only after verifying the user.',
  evaluate(ctx) {
    const views = [...ctx.registrations.map((r) => ({ step: r.ceremony.step, required: r.ceremony.options.authenticatorSelection?.userVerification === 'required', uv: r.parsed.authData.flags.UV })), ...ctx.assertions.map((a) => ({ step: a.ceremony.step, required: a.ceremony.options.userVerification === 'required', uv: a.parsed.authData.flags.UV }))].filter((v) => v.required);
    const refused = ctx.failedCeremonies.filter((c) => (c.options.userVerification ?? c.options.authenticatorSelection?.userVerification) === 'required');
    if (!views.length && !refused.length) return skip('no ceremony required user verification');
    const missing = views.filter((v) => !v.uv);
    if (missing.length) return fail('UV flag clear although verification was required', 'UV=1', `UV=0 in ${missing.map((m) => m.step).join(', ')}`, missing.map((m) => m.step));
    if (!views.length) return fail('every ceremony requiring user verification failed', 'UV-verified ceremonies', refused.map((c) => `${c.step}: ${c.error?.name}`).join(', '), refused.map((c) => c.step));
    return pass(`UV set in all ${views.length} ceremonies that required it`, views.map((v) => v.step));
  },
});
