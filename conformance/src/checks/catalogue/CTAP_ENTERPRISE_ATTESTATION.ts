import { defineCheck } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP21, bare, ctapProbe, fidoTest, verdict } from './ctapHelpers.ts';

export const CTAP_ENTERPRISE_ATTESTATION = defineCheck({
  id: 'CTAP_ENTERPRISE_ATTESTATION',
  title: 'Enterprise attestation only when enabled, and vendor-facilitated only for the RP IDs the vendor listed',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP21} §6.1.2 step 9 (enterpriseAttestation: CTAP1_ERR_INVALID_PARAMETER while disabled; 1, vendor-facilitated, only for an RP ID on the authenticator's pre-configured list, else a plain attestation; 2, platform-managed, given; other values CTAP2_ERR_INVALID_OPTION), §7.1 (enterprise attestation identifies the device: it must not reach other RPs); ${fidoTest('EnterpriseAttestation')}`,
  covers: ['EnterpriseAttestation'],
  changesKey: { flag: '--allow-reset', what: 'enterprise attestation enabled on a key that has it disabled (only a reset disables it again)' },
  needs: 'the enterprise probe (a key with the ep option; enabling it needs --allow-reset)',
  fix: 'Refuse enterpriseAttestation while ep is false; give a vendor-facilitated enterprise attestation only to the RP IDs you pre-configured (a plain attestation, epAtt false, to any other); give platform-managed ones; refuse other values.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'enterprise');
    if (isResult(p)) return p;
    const problems: string[] = [];
    if (p.whileDisabled !== undefined && bare(p.whileDisabled) !== 'CTAP1_ERR_INVALID_PARAMETER') problems.push(`enterpriseAttestation while disabled: ${bare(p.whileDisabled)} (CTAP1_ERR_INVALID_PARAMETER expected)`);
    if (p.enable !== undefined && bare(p.enable) !== 'OK') problems.push(`enableEnterpriseAttestation: ${bare(p.enable)}`);
    if (p.vendorFacilitated) {
      if (bare(p.vendorFacilitated.status) !== 'OK') problems.push(`vendor-facilitated for an unlisted RP ID: ${bare(p.vendorFacilitated.status)} (a plain attestation expected)`);
      else if (p.vendorFacilitated.epAtt) problems.push('vendor-facilitated enterprise attestation given to ctap.fido2-harness.test, an RP ID no vendor lists (it identifies the device to any site)');
    }
    if (p.platformManaged && bare(p.platformManaged.status) === 'OK' && !p.platformManaged.epAtt) problems.push('platform-managed enterprise attestation asked for, epAtt not true');
    else if (p.platformManaged && bare(p.platformManaged.status) !== 'OK') problems.push(`platform-managed enterprise attestation: ${bare(p.platformManaged.status)}`);
    if (p.otherValue !== undefined && bare(p.otherValue) !== 'CTAP2_ERR_INVALID_OPTION') problems.push(`enterpriseAttestation 3: ${bare(p.otherValue)} (CTAP2_ERR_INVALID_OPTION expected)`);
    return verdict(problems, { what: 'enterprise attestation reaches further than CTAP 2.1 allows', expected: 'refused while disabled; vendor-facilitated for listed RP IDs only; platform-managed given', ok: p.vendorFacilitated ? 'vendor-facilitated withheld from an unlisted RP ID, platform-managed given, other values refused' : 'refused while disabled', evidence: ['ctap:enterprise'] });
  },
});
