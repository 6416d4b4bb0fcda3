import { defineCheck, fail, pass, skip } from '../Check.ts';

export const HYG_ATT_CERT_VALIDITY = defineCheck({
  id: 'HYG_ATT_CERT_VALIDITY',
  title: 'Attestation certificates are valid at the time of the run',
  area: 'hygiene',
  severity: 'required',
  source: 'RFC 5280 §4.1.2.5; WebAuthn L3 §7.1 step 22',
  needs: 'a registration with x5c',
  fix: 'Issue attestation certificates whose validity covers the key\'s life (FIDO recommends long-lived batch certificates), and check the key\'s clock-free validity assumptions.',
  evaluate(ctx) {
    const r = ctx.registrations.find((x) => x.analysis.findings.some((f) => f.code === 'CERT_VALIDITY'));
    if (!r) return skip('no certificate chain in the run');
    const bad = r.analysis.findings.filter((f) => f.code === 'CERT_VALIDITY' && f.status === 'fail');
    return bad.length ? fail('a certificate is outside its validity period', bad[0]!.expected ?? 'valid now', bad.map((f) => `${f.message}: ${f.actual}`).join('; '), [r.ceremony.step]) : pass('every certificate valid at the run time', [r.ceremony.step]);
  },
});
