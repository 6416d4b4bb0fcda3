import { defineCheck } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP21, bare, ctapProbe, fidoTest, verdict } from './ctapHelpers.ts';
import { PROBE_FINGER_NAME_TEXT } from './bioNames.ts';

export const CTAP_BIO_ENROLLMENT = defineCheck({
  id: 'CTAP_BIO_ENROLLMENT',
  title: 'Fingerprint enrollment: a token required; enroll, enumerate, rename and remove work',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP21} §6.7 (authenticatorBioEnrollment: every subcommand but getModality, sensor info and cancel needs a token with the be permission, CTAP2_ERR_PUAT_REQUIRED without), §6.7.5-6.7.9 (enrollBegin, enrollCaptureNextSample, enumerateEnrollments, setFriendlyName, removeEnrollment); ${fidoTest('BioEnroll-Enroll', 'BioEnroll-EnumerateRenameRemove')}`,
  covers: ['BioEnroll-Enroll', 'BioEnroll-EnumerateRenameRemove'],
  changesKey: { flag: '--destructive', what: 'a finger enrolled (the person gives the samples), renamed and removed again' },
  needs: 'the bioEnrollment probe (--destructive; a key listing bioEnroll; the PIN or built-in UV; the person at the sensor)',
  fix: 'Refuse enrollment without a token holding be (CTAP2_ERR_PUAT_REQUIRED); after the last sample list the new template, take a friendly name for it, and forget it entirely on removeEnrollment.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'bioEnrollment');
    if (isResult(p)) return p;
    const problems: string[] = [];
    if (p.withoutToken !== undefined && bare(p.withoutToken) !== 'CTAP2_ERR_PUAT_REQUIRED') problems.push(`enrollBegin without a token: ${bare(p.withoutToken) === 'OK' ? 'began' : bare(p.withoutToken)} (CTAP2_ERR_PUAT_REQUIRED expected)`);
    if (p.enroll && bare(p.enroll.status) !== 'OK') problems.push(`the enrollment: ${bare(p.enroll.status)}`);
    if (p.listedAfterEnroll === false) problems.push('the new template is not enumerated (or the count did not grow by one)');
    if (p.rename !== undefined && bare(p.rename) !== 'OK') problems.push(`setFriendlyName: ${bare(p.rename)}`);
    else if (p.rename !== undefined && p.nameAfterRename !== PROBE_FINGER_NAME_TEXT) problems.push(`after setFriendlyName the template is named ${JSON.stringify(p.nameAfterRename)}`);
    if (p.remove !== undefined && bare(p.remove) !== 'OK') problems.push(`removeEnrollment: ${bare(p.remove)}`);
    else if (p.listedAfterRemove) problems.push('the removed template is still enumerated (the finger may still verify the person)');
    return verdict(problems, { what: 'fingerprint enrollment does not work as CTAP 2.1 §6.7 says', expected: 'a token required; enroll, enumerate, rename, remove', ok: `refused without a token; a finger enrolled in ${p.enroll?.samples.length ?? '?'} samples, listed, renamed and removed`, evidence: ['ctap:bioEnrollment'] });
  },
});
