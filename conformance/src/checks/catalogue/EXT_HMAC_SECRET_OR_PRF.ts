import { defineCheck, fail, pass } from '../Check.ts';
import { WINDOWS } from './helpers.ts';
import type { StepName } from '../ceremonyPlan.ts';

export const EXT_HMAC_SECRET_OR_PRF = defineCheck({
  id: 'EXT_HMAC_SECRET_OR_PRF',
  title: 'hmac-secret works: PRF output present, stable for a salt, different across salts and credentials',
  area: 'windows',
  severity: 'required',
  source: `${WINDOWS}: hmac-secret; CTAP 2.1 §12.5; WebAuthn L3 §10.1.4 (prf)`,
  needs: 'prf-a-1, prf-a-1-again, prf-b-1, prf-a-2',
  fix: 'Implement hmac-secret with a per-credential CredRandom and the salt handling of CTAP 2.1 §12.5; outputs must be deterministic per (credential, salt).',
  evaluate(ctx) {
    const out = (step: StepName) => {
      const c = ctx.step(step);
      const a = ctx.assertions.find((x) => x.ceremony === c);
      const first = (a?.parsed.clientExtensionResults.prf as { results?: { first?: string } } | undefined)?.results?.first;
      return { c, first };
    };
    const a1 = out('prf-a-1');
    const a1b = out('prf-a-1-again');
    const b1 = out('prf-b-1');
    const a2 = out('prf-a-2');
    const steps: StepName[] = ['prf-a-1', 'prf-a-1-again', 'prf-b-1', 'prf-a-2'];
    const missing = [a1, a1b, b1, a2].filter((x) => !x.first);
    if (missing.length) return fail('no PRF (hmac-secret) output', 'prf.results.first in every prf step', missing.map((m) => (m.c ? `${m.c.step}: ${m.c.error ? m.c.error.name : 'none'}` : 'step missing')).join('; '), steps);
    if (a1.first !== a1b.first) return fail('the same salt gave different outputs', 'equal outputs for salt A', `${a1.first} vs ${a1b.first}`, ['prf-a-1', 'prf-a-1-again']);
    if (a1.first === b1.first) return fail('different salts gave the same output', 'different outputs for salts A and B', a1.first!, ['prf-a-1', 'prf-b-1']);
    if (a1.first === a2.first) return fail('two credentials gave the same output for one salt', 'per-credential outputs', a1.first!, ['prf-a-1', 'prf-a-2']);
    return pass('outputs present, stable per salt, distinct across salts and credentials', steps);
  },
});
