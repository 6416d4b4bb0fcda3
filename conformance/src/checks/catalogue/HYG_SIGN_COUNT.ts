import { defineCheck, fail, pass, skip } from '../Check.ts';
import type { StepName } from '../ceremonyPlan.ts';

export const HYG_SIGN_COUNT = defineCheck({
  id: 'HYG_SIGN_COUNT',
  title: 'Signature counter increases with every use, or is always zero',
  area: 'hygiene',
  severity: 'recommended',
  source: 'WebAuthn L3 §6.1.1, §7.2 step 22',
  covers: ['Authr-GetAssertion-Resp-1'],
  needs: 'several assertions per credential',
  fix: 'Increase the signature counter on every assertion (per credential or globally), or report 0 always; never repeat or go back.',
  evaluate(ctx) {
    const byCred = new Map<string, { step: StepName; count: number }[]>();
    for (const r of ctx.registrations) byCred.set(r.credentialId, [{ step: r.ceremony.step, count: r.parsed.authData.signCount }]);
    for (const a of ctx.assertions) byCred.get(a.credentialId)?.push({ step: a.ceremony.step, count: a.parsed.authData.signCount });
    const seqs = [...byCred.values()].filter((s) => s.length > 1);
    if (!seqs.length) return skip('no credential was used more than once');
    for (const s of seqs) {
      const counts = s.map((x) => x.count);
      if (counts.every((c) => c === 0)) continue;
      for (let i = 1; i < s.length; i++) {
        if (s[i]!.count <= s[i - 1]!.count) return fail('the counter did not increase', `> ${s[i - 1]!.count} after ${s[i - 1]!.step}`, `${s[i]!.count} in ${s[i]!.step}`, [s[i - 1]!.step, s[i]!.step]);
      }
    }
    return pass(`counters behave on ${seqs.length} credential(s)`);
  },
});
