import { defineCheck, fail, pass } from '../Check.ts';
import { ENTRA, failNoEntry } from './helpers.ts';
import { interpretStatus } from '../../mds/interpretStatus.ts';

export const MDS_NO_COMPROMISE = defineCheck({
  id: 'MDS_NO_COMPROMISE',
  title: 'MDS status: no revocation or compromise in effect',
  area: 'entra-enforced',
  needsMetadata: true,
  severity: 'required',
  source: `${ENTRA}; FIDO MDS 3.0 §3.1.3 (REVOKED, ATTESTATION_KEY_COMPROMISE, USER_VERIFICATION_BYPASS, USER_KEY_*_COMPROMISE)`,
  needs: 'the MDS entry',
  fix: 'A compromise or revocation status excludes the model; resolve it with the FIDO Alliance (new attestation keys, firmware) so a later status report supersedes it.',
  evaluate(ctx) {
    if (!ctx.entry) return failNoEntry(ctx, 'an MDS entry');
    const st = interpretStatus(ctx.entry, ctx.at);
    return st.compromised ? fail(`${st.compromised.status} since ${st.compromised.effectiveDate ?? '?'}`, 'no compromise or revocation', st.compromised.status, ['mds']) : pass('no compromise or revocation in effect', ['mds']);
  },
});
