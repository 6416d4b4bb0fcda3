import { defineCheck, fail, pass } from '../Check.ts';
import { ENTRA, firstRegistration, isResult } from './helpers.ts';

export const ATT_PACKED_FORMAT = defineCheck({
  id: 'ATT_PACKED_FORMAT',
  title: 'Attestation is "packed" with a certificate chain (basic attestation)',
  area: 'entra-enforced',
  severity: 'required',
  source: `${ENTRA}: attestation enforced; WebAuthn L3 §8.2`,
  needs: 'a registration with attestation "direct"',
  fix: 'Return fmt "packed" with x5c (attestation certificate, then intermediates) when the RP asks for direct attestation; self attestation and "none" are refused when attestation is enforced.',
  evaluate(ctx) {
    const r = firstRegistration(ctx);
    if (isResult(r)) return r;
    const ok = r.analysis.fmt === 'packed' && r.analysis.attestationType === 'basic';
    return ok ? pass('packed attestation with x5c', [r.ceremony.step]) : fail('attestation is not packed with a certificate chain', 'packed, basic (x5c)', `${r.analysis.fmt}, ${r.analysis.attestationType}`, [r.ceremony.step]);
  },
});
