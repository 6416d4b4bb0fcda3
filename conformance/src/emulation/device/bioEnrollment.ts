import crypto from 'node:crypto';
import type { CanonicalValue } from '../../cbor/encodeCanonical.ts';
import { BIO_SUB, ENROLL_FEEDBACK, PERMISSION } from '../../ctap/constants.ts';
import { CTAP_STATUS as S } from '../../ctap/status.ts';
import type { DeviceContext } from './DeviceContext.ts';
import { requireAuthParams, verifyToken } from './pinUvAuth.ts';
import { refuse, type Params } from './params.ts';
import { eq } from './makeCredential.ts';
import { MAX_UV_RETRIES } from './DeviceState.ts';

export const BIO_ENROLLMENT_FAULTS = {
  enrollWithoutToken: 'enrollBegin accepted without a token holding the be permission (§6.7)',
  removedFingerStillMatches: 'a removed fingerprint still verifies the user (still enumerated)',
  bioSensorInfoIncomplete: 'getFingerprintSensorInfo without maxCaptureSamplesRequiredForEnroll (§6.7.4: a required member)',
} as const;

/** The emulated sensor (getFingerprintSensorInfo): a touch sensor. */
export const FINGERPRINT_KIND_TOUCH = 1;
export const MAX_TEMPLATE_FRIENDLY_NAME = 64;

interface Enrollment {
  templateId: Uint8Array;
  remaining: number;
}

/**
 * authenticatorBioEnrollment (CTAP 2.3 §6.7) for the emulated fingerprint sensor: modality and
 * sensor info, enrollment sample by sample (the emulated person's next samples give the feedback:
 * FP_GOOD unless told otherwise), enumerate, rename, remove. Every subcommand but sensor info and
 * cancel needs a token with be over modality || subCommand || subCommandParams. An unknown
 * template is CTAP2_ERR_INVALID_OPTION, as is enumerating none.
 */
export async function bioEnrollment(d: DeviceContext, p: Params, samples: number[]): Promise<Map<number, CanonicalValue> | undefined> {
  const r = d.read;
  const state = d.state;
  const bio = d.f.bio;
  if (!bio) return refuse(S.CTAP1_ERR_INVALID_COMMAND);
  const modality = r.optional(p, 0x01, 'uint');
  const sub = r.optional(p, 0x02, 'uint');
  const subParams = r.optional(p, 0x03, 'map');
  const version = r.optional(p, 0x04, 'uint');
  const param = r.optional(p, 0x05, 'bytes');
  const getModality = r.optional(p, 0x06, 'bool');
  if (getModality) return new Map([[0x01, 1]]);
  if (sub === undefined || modality === undefined) r.missing();
  if (modality !== 1) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
  if (!Object.values(BIO_SUB).includes(sub as never)) refuse(S.CTAP2_ERR_INVALID_SUBCOMMAND);
  if (sub === BIO_SUB.getFingerprintSensorInfo) return new Map<number, CanonicalValue>([[0x02, FINGERPRINT_KIND_TOUCH], ...(d.faults.bioSensorInfoIncomplete ? [] : [[0x03, bio.samplesPerEnroll] as [number, CanonicalValue]]), [0x08, MAX_TEMPLATE_FRIENDLY_NAME]]);
  const enrolling = state.pending?.command === 'enrollment' ? (state.pending.state as Enrollment) : undefined;
  if (sub === BIO_SUB.cancelCurrentEnrollment) {
    state.pending = undefined;
    return undefined;
  }
  if (!(sub === BIO_SUB.enrollBegin && d.faults.enrollWithoutToken)) {
    const a = requireAuthParams(d, param, version);
    const message = Uint8Array.from([modality!, sub!, ...d.rawParam(0x03)]);
    verifyToken(d, { param: a.param, protocol: a.protocol, message, permission: PERMISSION.be });
  }
  switch (sub) {
    case BIO_SUB.enrollBegin: {
      r.optional(subParams, 0x03, 'uint');
      if (state.templates.length >= bio.maxTemplates) refuse(S.CTAP2_ERR_FP_DATABASE_FULL);
      const e: Enrollment = { templateId: Uint8Array.of(nextTemplateId(d)), remaining: bio.samplesPerEnroll };
      return capture(d, e, samples, true);
    }
    case BIO_SUB.enrollCaptureNextSample: {
      const id = r.required(subParams, 0x01, 'bytes');
      r.optional(subParams, 0x03, 'uint');
      if (!enrolling || !eq(enrolling.templateId, id)) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
      return capture(d, enrolling!, samples, false);
    }
    case BIO_SUB.enumerateEnrollments:
      if (!state.templates.length) refuse(S.CTAP2_ERR_INVALID_OPTION);
      return new Map([[0x07, state.templates.map((t) => new Map<number, CanonicalValue>([[0x01, t.id], ...(t.name !== undefined ? [[0x02, t.name] as [number, CanonicalValue]] : [])]))]]);
    case BIO_SUB.setFriendlyName: {
      const id = r.required(subParams, 0x01, 'bytes');
      const name = r.required(subParams, 0x02, 'text');
      if (Buffer.byteLength(name) > MAX_TEMPLATE_FRIENDLY_NAME) refuse(S.CTAP1_ERR_INVALID_LENGTH);
      const t = state.templates.find((x) => eq(x.id, id));
      if (!t) refuse(S.CTAP2_ERR_INVALID_OPTION);
      t!.name = name;
      d.changed();
      return undefined;
    }
    case BIO_SUB.removeEnrollment: {
      const id = r.required(subParams, 0x01, 'bytes');
      const at = state.templates.findIndex((x) => eq(x.id, id));
      if (at < 0) refuse(S.CTAP2_ERR_INVALID_OPTION);
      if (!d.faults.removedFingerStillMatches) state.templates.splice(at, 1);
      d.changed();
      return undefined;
    }
  }
  return refuse(S.CTAP2_ERR_INVALID_SUBCOMMAND);
}

/** One sample: the person touches the sensor; the feedback decides whether it counts. */
async function capture(d: DeviceContext, e: Enrollment, samples: number[], begin: boolean): Promise<Map<number, CanonicalValue>> {
  await d.presence();
  const status = samples.shift() ?? ENROLL_FEEDBACK.FP_GOOD;
  if (status === ENROLL_FEEDBACK.FP_GOOD) e.remaining -= 1;
  const out = new Map<number, CanonicalValue>();
  if (begin) out.set(0x04, e.templateId);
  out.set(0x05, status);
  out.set(0x06, e.remaining);
  if (e.remaining === 0) {
    d.state.templates.push({ id: e.templateId });
    d.state.uvRetries = MAX_UV_RETRIES;
    d.state.pending = undefined;
    d.changed();
  } else d.state.pending = { command: 'enrollment', state: e };
  return out;
}

function nextTemplateId(d: DeviceContext): number {
  for (;;) {
    const id = crypto.randomBytes(1)[0]!;
    if (id !== 0 && !d.state.templates.some((t) => t.id[0] === id)) return id;
  }
}
