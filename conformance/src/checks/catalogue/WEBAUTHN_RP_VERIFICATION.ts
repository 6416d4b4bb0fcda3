import { defineCheck, fail, pass, skip } from '../Check.ts';
import { checkCeremony } from '../../webauthn/checkCeremony.ts';
import type { FindingCode } from '../../findings/findingCodes.ts';
import type { StepName } from '../ceremonyPlan.ts';

/** the steps this check owns; UP, UV and the backup flags have checks of their own */
const OWN: ReadonlySet<FindingCode> = new Set<FindingCode>(['CLIENT_DATA_TYPE', 'CLIENT_DATA_CHALLENGE', 'CLIENT_DATA_ORIGIN', 'CLIENT_DATA_CROSS_ORIGIN', 'RP_ID_HASH', 'CREDENTIAL_PUBLIC_KEY', 'FLAG_AT']);

export const WEBAUTHN_RP_VERIFICATION = defineCheck({
  id: 'WEBAUTHN_RP_VERIFICATION',
  title: 'Every response passes the relying party\'s verification steps (client data, RP ID hash, credential key, assertion signatures)',
  area: 'hygiene',
  severity: 'required',
  source: 'WebAuthn L3 §7.1 steps 7-13, 18; §7.2 steps 6, 11-15, 21',
  covers: ['Authr-MakeCred-Resp-1', 'Authr-GetAssertion-Resp-1'],
  needs: 'every ceremony',
  fix: 'Hash the RP ID the client sent (not the origin) into authData, return a well-formed COSE key, and sign authenticatorData || clientDataHash with the credential key.',
  evaluate(ctx) {
    const problems: { step: StepName; what: string }[] = [];
    for (const r of ctx.registrations) {
      for (const f of r.analysis.findings) if (f.status === 'fail' && OWN.has(f.code)) problems.push({ step: r.ceremony.step, what: f.code });
    }
    for (const a of ctx.assertions) {
      const steps = checkCeremony(a.parsed.clientData, a.parsed.authData, { ceremony: 'get', challenge: a.ceremony.options.challenge, origins: [ctx.run.origin], rpId: ctx.run.rpId, requireUserVerification: false });
      for (const f of steps) if (f.status === 'fail' && OWN.has(f.code)) problems.push({ step: a.ceremony.step, what: f.code });
      if (a.registration && !a.signatureValid) problems.push({ step: a.ceremony.step, what: 'SIGNATURE' });
    }
    for (const u of ctx.unparseable) problems.push({ step: u.ceremony.step, what: `unparseable (${u.error.slice(0, 80)})` });
    if (!ctx.registrations.length && !ctx.assertions.length && !ctx.unparseable.length) return skip('no ceremony succeeded');
    return problems.length ? fail('responses fail the RP\'s verification steps', 'every step passes', problems.map((p) => `${p.step}: ${p.what}`).join('; '), [...new Set(problems.map((p) => p.step))]) : pass(`${ctx.registrations.length + ctx.assertions.length} responses pass`);
  },
});
