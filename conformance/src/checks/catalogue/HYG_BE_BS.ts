import { defineCheck, fail, pass, skip } from '../Check.ts';

export const HYG_BE_BS = defineCheck({
  id: 'HYG_BE_BS',
  title: 'Backup flags consistent: BS only with BE, BE constant per credential',
  area: 'hygiene',
  severity: 'recommended',
  source: 'WebAuthn L3 §6.1.3 (credential backup state)',
  needs: 'registrations and assertions',
  fix: 'A security key\'s credentials are device-bound: report BE=0 and BS=0 always (BE never changes for a credential).',
  evaluate(ctx) {
    const all = [...ctx.registrations, ...ctx.assertions];
    if (!all.length) return skip('no ceremony succeeded');
    const bsWithoutBe = all.filter((v) => v.parsed.authData.flags.BS && !v.parsed.authData.flags.BE);
    if (bsWithoutBe.length) return fail('BS set without BE', 'BS=0 when BE=0', bsWithoutBe.map((v) => v.ceremony.step).join(', '));
    for (const a of ctx.assertions) {
      if (a.registration && a.registration.parsed.authData.flags.BE !== a.parsed.authData.flags.BE) return fail('BE changed for a credential', `BE=${Number(a.registration.parsed.authData.flags.BE)} as at registration`, `BE=${Number(a.parsed.authData.flags.BE)} in ${a.ceremony.step}`, [a.registration.ceremony.step, a.ceremony.step]);
    }
    return pass('backup flags consistent');
  },
});
