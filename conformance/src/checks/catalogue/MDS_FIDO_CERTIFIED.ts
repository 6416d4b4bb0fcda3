import { defineCheck, fail, pass } from '../Check.ts';
import { ENTRA, failNoEntry } from './helpers.ts';
import { certificationDetails, interpretStatus } from '../../mds/interpretStatus.ts';

export const MDS_FIDO_CERTIFIED = defineCheck({
  id: 'MDS_FIDO_CERTIFIED',
  title: 'MDS status: FIDO certified (any level)',
  area: 'entra-enforced',
  needsMetadata: true,
  severity: 'required',
  source: `${ENTRA}: "FIDO2 certification at any level"; FIDO Metadata Service 3.1 §3.1.3 (status reports; certificationProfiles, sunsetDate)`,
  needs: 'the MDS entry',
  fix: 'Complete FIDO2 certification; the FIDO Alliance then adds a FIDO_CERTIFIED_Lx status report to the MDS entry.',
  evaluate(ctx) {
    if (!ctx.entry) return failNoEntry(ctx, 'an MDS entry with a FIDO_CERTIFIED status');
    const st = interpretStatus(ctx.entry, ctx.at);
    return st.certified ? pass(`${st.level} since ${st.decisive?.effectiveDate ?? '?'}${certificationDetails(st.certification, ctx.at)}`, ['mds']) : fail('not FIDO certified as of the run', 'FIDO_CERTIFIED (any level)', st.decisive?.status ?? 'no status report', ['mds']);
  },
});
