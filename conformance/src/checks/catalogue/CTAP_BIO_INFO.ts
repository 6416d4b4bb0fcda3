import { defineCheck } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP21, bare, ctapProbe, fidoTest, verdict } from './ctapHelpers.ts';

export const CTAP_BIO_INFO = defineCheck({
  id: 'CTAP_BIO_INFO',
  title: 'The fingerprint sensor reports its modality, its kind and how many samples an enrollment takes',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP21} §6.7.2 (getModality: 1, fingerprint), §6.7.3-6.7.4 (getFingerprintSensorInfo: fingerprintKind 1 touch or 2 swipe, maxCaptureSamplesRequiredForEnroll required); ${fidoTest('BioEnroll-BioModAndSensorInfo')}`,
  covers: ['BioEnroll-BioModAndSensorInfo'],
  needs: 'the bioInfo probe (a key listing bioEnroll)',
  fix: 'Answer getModality with 1 and getFingerprintSensorInfo with fingerprintKind (1 or 2) and maxCaptureSamplesRequiredForEnroll (and maxTemplateFriendlyName when names are kept).',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'bioInfo');
    if (isResult(p)) return p;
    const problems: string[] = [];
    if (p.modality !== 1) problems.push(`getModality: ${typeof p.modality === 'number' ? p.modality : bare(p.modality)} (1, fingerprint, expected)`);
    if (p.sensorStatus) problems.push(`getFingerprintSensorInfo: ${bare(p.sensorStatus)}`);
    else {
      if (p.sensor?.fingerprintKind !== 1 && p.sensor?.fingerprintKind !== 2) problems.push(`fingerprintKind ${p.sensor?.fingerprintKind ?? 'missing'} (1 or 2 expected)`);
      if (!p.sensor?.maxCaptureSamplesRequiredForEnroll) problems.push('maxCaptureSamplesRequiredForEnroll missing');
    }
    return verdict(problems, { what: 'the sensor does not describe itself as CTAP 2.1 §6.7 says', expected: 'modality 1, fingerprintKind, maxCaptureSamplesRequiredForEnroll', ok: `fingerprint sensor (kind ${p.sensor?.fingerprintKind}), ${p.sensor?.maxCaptureSamplesRequiredForEnroll} samples per enrollment`, evidence: ['ctap:bioInfo'] });
  },
});
