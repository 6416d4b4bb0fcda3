import { defineCheck, fail, pass, skip } from '../Check.ts';
import { ENTRA, firstRegistration, isResult, failNoEntry } from './helpers.ts';
import { findingCodesIn } from '../../findings/findingCodes.ts';

/** the attestation statement's rules and its certificate chain's */
const STATEMENT = findingCodesIn('statement', 'certificate');

export const ATT_PACKED_CHAIN_TO_MDS_ROOT = defineCheck({
  id: 'ATT_PACKED_CHAIN_TO_MDS_ROOT',
  title: 'The attestation chain ends at a root listed in the key\'s MDS entry, and the statement verifies',
  area: 'entra-enforced',
  needsMetadata: true,
  severity: 'required',
  source: `${ENTRA}: "a complete certificate chain to the attestation roots published in the key's MDS entry"; WebAuthn L3 §7.1 steps 19-22`,
  covers: ['Metadata-Stmt-1', 'Authr-MakeCred-Resp-1'],
  needs: 'a packed registration and the key\'s MDS entry',
  fix: 'Put the root of the attestation chain in attestationRootCertificates of the MDS statement, send every intermediate in x5c, and keep the attestation certificate valid (not expired, CA=false, OU "Authenticator Attestation").',
  evaluate(ctx) {
    const r = firstRegistration(ctx);
    if (isResult(r)) return r;
    if (!ctx.entry) return failNoEntry(ctx, 'an MDS entry with attestationRootCertificates', [r.ceremony.step], (m) => `${m}, so there is no MDS root to chain to`);
    if (r.analysis.attestationType !== 'basic') return skip(`no certificate chain to check (${r.analysis.fmt}, ${r.analysis.attestationType})`);
    // the statement's own rules; ceremony steps (rpIdHash, flags) have their own checks
    const broken = r.analysis.findings.filter((f) => f.status === 'fail' && STATEMENT.has(f.code));
    if (broken.length) return fail('the attestation statement does not verify', 'every attestation rule passes', broken.map((f) => f.code).join(', '), [r.ceremony.step]);
    return r.analysis.trust === 'trusted'
      ? pass(`chain ends at ${r.analysis.trustAnchor}`, [r.ceremony.step, 'mds'])
      : fail('the chain does not reach a root in the MDS entry', 'a root from attestationRootCertificates', r.analysis.trust, [r.ceremony.step, 'mds']);
  },
});
