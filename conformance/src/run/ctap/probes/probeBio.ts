import { PERMISSION } from '../../../ctap/constants.ts';
import { BioEnrollment } from '../../../ctap/ctap2/bioEnrollment.ts';
import { toBase64url } from '../../../encoding/base64url.ts';
import type { BioEnrollmentProbe, BioInfoProbe } from '../../../checks/ctap/CtapEvidence.ts';
import { statusOf, type CtapSession } from '../CtapSession.ts';

import { PROBE_FINGER_NAME_TEXT as PROBE_FINGER_NAME } from '../../../checks/catalogue/bioNames.ts';

/**
 * What the fingerprint sensor says about itself (CTAP 2.1 §6.7.2-6.7.4; the FIDO
 * BioEnroll-BioModAndSensorInfo script): the modality, and the sensor's kind and how many samples
 * an enrollment takes. Reads only.
 */
export async function probeBioInfo(s: CtapSession): Promise<BioInfoProbe> {
  if (!BioEnrollment.supported(s.info)) return { skipped: 'getInfo lists no bioEnroll', notApplicable: true };
  const bio = new BioEnrollment(s.ctap2, undefined, s.info);
  const out: BioInfoProbe = {};
  out.modality = await bio.modality(s.call()).then((m) => m, (e: unknown) => statusOf(e));
  try {
    const i = await bio.sensorInfo(s.call());
    out.sensor = { fingerprintKind: i.fingerprintKind, maxCaptureSamplesRequiredForEnroll: i.maxCaptureSamplesRequiredForEnroll, maxTemplateFriendlyName: i.maxTemplateFriendlyName };
  } catch (e) {
    out.sensorStatus = statusOf(e);
  }
  return out;
}

/**
 * Enrollment (CTAP 2.1 §6.7.5-6.7.9; the FIDO BioEnroll-Enroll and EnumerateRenameRemove
 * scripts): refused without a token, then a finger enrolled sample by sample (the person is asked
 * for each), enumerated, renamed and removed again. Only with --destructive.
 */
export async function probeBioEnrollment(s: CtapSession): Promise<BioEnrollmentProbe> {
  const gate = s.gate('--destructive', 'enrolls a finger (the person is asked for each sample), renames and removes it');
  if (gate) return gate;
  if (s.info.options.bioEnroll === undefined) return { skipped: 'getInfo lists no bioEnroll', notApplicable: true };
  const out: BioEnrollmentProbe = {};
  out.withoutToken = await new BioEnrollment(s.ctap2, undefined, s.info).enrollBegin(undefined, s.call()).then(() => 'OK', statusOf);
  // a faulty key that began an enrollment anyway: cancel it
  if (out.withoutToken === 'OK') await new BioEnrollment(s.ctap2, undefined, s.info).cancelEnrollment(s.call()).catch(() => {});
  const t = await s.token(PERMISSION.be, undefined, undefined, true);
  if (!t.token) return { ...out, skipped: `enrollment needs a token with be: ${t.why ?? 'none could be had'}` };
  const bio = new BioEnrollment(s.ctap2, t.token, s.info);
  const before = await bio.enumerate(s.call()).catch(() => []);
  const change = s.changed('a finger enrolled');
  s.o.onPrompt?.('Put a finger on the sensor, lift it, and again, until the key has every sample it asks for');
  const samples: number[] = [];
  let id: Uint8Array | undefined;
  try {
    let r = await bio.enrollBegin(undefined, s.call());
    id = r.templateId;
    samples.push(r.lastEnrollSampleStatus);
    for (let i = 0; i < 32 && r.remainingSamples > 0; i++) {
      s.o.onPrompt?.(`Again: ${r.remainingSamples} more sample(s)`);
      r = await bio.enrollCaptureNextSample(id!, undefined, s.call());
      samples.push(r.lastEnrollSampleStatus);
    }
    out.enroll = { status: r.remainingSamples === 0 ? 'OK' : `still ${r.remainingSamples} samples to go`, samples };
  } catch (e) {
    out.enroll = { status: statusOf(e), samples };
  }
  if (!id) return out;
  out.templateId = toBase64url(id);
  const listed = await bio.enumerate(s.call()).catch(() => []);
  out.listedAfterEnroll = listed.some((x) => Buffer.from(x.templateId).equals(Buffer.from(id!))) && listed.length === before.length + 1;
  out.rename = await bio.setFriendlyName(id, PROBE_FINGER_NAME, s.call()).then(() => 'OK', statusOf);
  out.nameAfterRename = (await bio.enumerate(s.call()).catch(() => [])).find((x) => Buffer.from(x.templateId).equals(Buffer.from(id!)))?.name;
  out.remove = await bio.remove(id, s.call()).then(() => 'OK', statusOf);
  const after = await bio.enumerate(s.call()).catch(() => []);
  out.listedAfterRemove = after.some((x) => Buffer.from(x.templateId).equals(Buffer.from(id!)));
  if (out.remove === 'OK' && !out.listedAfterRemove) change.restored();
  return out;
}
