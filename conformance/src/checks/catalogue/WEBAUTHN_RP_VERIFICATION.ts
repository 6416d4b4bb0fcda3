import { defineCheck, fail, pass, skip } from '../Check.ts';
import { checkCeremony } from '../../webauthn/checkCeremony.ts';

/** the steps this check owns; UP, UV and the backup flags have checks of their own */
const OWN = /^(CLIENT_DATA_|RP_ID_HASH|CREDENTIAL_PUBLIC_KEY|FLAG_AT)/;

export const WEBAUTHN_RP_VERIFICATION = defineCheck({
  id: 'WEBAUTHN_RP_VERIFICATION',
  title: 'Every response passes the relying party\'s verification steps (client data, RP ID hash, credential key, assertion signatures)',
  area: 'hygiene',
  severity: 'required',
  source: 'WebAuthn L3 §7.1 steps 7-13, 18; §7.2 steps 6, 11-15, 21',
  needs: 'every ceremony',
  fix: 'Hash the RP ID the client sent (not the origin) into authData, return a well-formed COSE key, and sign authenticatorData || clientDataHash with the credential key.',
  evaluate(ctx) {
    const problems: string[] = [];
    for (const r of ctx.registrations) {
      for (const f of r.analysis.findings) if (f.status === 'fail' && OWN.test(f.code)) problems.push(`${r.ceremony.step}: ${f.code}`);
    }
    for (const a of ctx.assertions) {
      const steps = checkCeremony(a.parsed.clientData, a.parsed.authData, { ceremony: 'get', challenge: a.ceremony.options.challenge, origins: [ctx.run.origin], rpId: ctx.run.rpId, requireUserVerification: false });
      for (const f of steps) if (f.status === 'fail' && OWN.test(f.code)) problems.push(`${a.ceremony.step}: ${f.code}`);
      if (a.registration && !a.signatureValid) problems.push(`${a.ceremony.step}: SIGNATURE`);
    }
    for (const u of ctx.unparseable) problems.push(`${u.ceremony.step}: unparseable (${u.error.slice(0, 80)})`);
    if (!ctx.registrations.length && !ctx.assertions.length && !ctx.unparseable.length) return skip('no ceremony succeeded');
    return problems.length ? fail('responses fail the RP\'s verification steps', 'every step passes', problems.join('; '), [...new Set(problems.map((p) => p.split(':')[0]!))]) : pass(`${ctx.registrations.length + ctx.assertions.length} responses pass`);
  },
});
