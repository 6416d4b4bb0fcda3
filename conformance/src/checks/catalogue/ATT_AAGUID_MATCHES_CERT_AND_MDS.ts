import { defineCheck, fail, pass } from '../Check.ts';
import { ENTRA, firstRegistration, isResult, failNoEntry } from './helpers.ts';

export const ATT_AAGUID_MATCHES_CERT_AND_MDS = defineCheck({
  id: 'ATT_AAGUID_MATCHES_CERT_AND_MDS',
  title: 'The AAGUID in authenticator data equals the certificate\'s AAGUID extension and is listed in MDS',
  area: 'entra-enforced',
  needsMetadata: true,
  severity: 'required',
  source: `${ENTRA}; WebAuthn L3 §8.2.1 (1.3.6.1.4.1.45724.1.1.4)`,
  covers: ['Metadata-Stmt-1', 'Authr-MakeCred-Resp-1'],
  needs: 'a packed registration and the MDS entry',
  fix: 'Put the model\'s AAGUID in authenticator data and in the attestation certificate\'s 1.3.6.1.4.1.45724.1.1.4 extension (non-critical), and publish a metadata statement for that AAGUID.',
  evaluate(ctx) {
    const r = firstRegistration(ctx);
    if (isResult(r)) return r;
    const aaguid = r.analysis.aaguid;
    const leafExt = r.analysis.findings.find((f) => f.code === 'ATT_PACKED_CERT_AAGUID_EXT');
    if (aaguid === '00000000-0000-0000-0000-000000000000') return fail('authenticator data carries the zero AAGUID', 'the model\'s AAGUID', aaguid, [r.ceremony.step]);
    // §8.2.1 compares the certificate's AAGUID only when the extension is there: absent, it is no mismatch
    const noExtension = leafExt?.status === 'warn';
    if (!leafExt || (leafExt.status !== 'pass' && !noExtension)) return fail('the attestation certificate does not carry the same AAGUID', `certificate extension ${aaguid}`, leafExt ? (leafExt.actual ?? leafExt.message) : 'no packed certificate', [r.ceremony.step]);
    if (!ctx.entry) return failNoEntry(ctx, `an MDS entry for ${aaguid}`, [r.ceremony.step, 'mds']);
    if (ctx.entry.aaguid?.toLowerCase() !== aaguid) return fail('the AAGUID is not listed in MDS', `an MDS entry for ${aaguid}`, `entry for ${ctx.entry.aaguid}`, [r.ceremony.step, 'mds']);
    return pass(noExtension ? `${aaguid} in authData and MDS; the certificate has no AAGUID extension (WebAuthn L3 §8.2.1 compares it only when present)` : `${aaguid} in authData, certificate and MDS`, [r.ceremony.step, 'mds']);
  },
});
