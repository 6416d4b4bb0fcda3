import type { CborValue } from '../../cbor/decodeCbor.ts';
import { encodeCanonical, type CanonicalValue } from '../../cbor/encodeCanonical.ts';
import { BIO_SUB, CTAP2 } from '../constants.ts';
import type { CallOptions } from '../connection/CallOptions.ts';
import { CtapError, deviceError } from '../CtapError.ts';
import type { Ctap2Client } from './Ctap2Client.ts';
import { pinUvAuthParam, type PinUvAuthToken } from './clientPin.ts';
import type { AuthenticatorInfo } from './getInfo.ts';

export interface SensorInfo {
  fingerprintKind?: number;
  maxCaptureSamplesRequiredForEnroll?: number;
  maxTemplateFriendlyName?: number;
}

export interface EnrollSample {
  templateId?: Uint8Array;
  lastEnrollSampleStatus: number;
  remainingSamples: number;
}

/**
 * authenticatorBioEnrollment (CTAP 2.3 §6.7; the FIDO_2_1_PRE command 0x40 for keys that only list
 * userVerificationMgmtPreview) for the fingerprint modality: sensor info, enrollment sample by
 * sample, enumerate, rename, remove. Signed with a token holding be over modality || subCommand ||
 * subCommandParams. getInfo is read again when a template is added or removed (bioEnroll, uv).
 */
export class BioEnrollment {
  readonly ctap: Ctap2Client;
  readonly token?: PinUvAuthToken;
  readonly command: number;

  constructor(ctap: Ctap2Client, token: PinUvAuthToken | undefined, info: AuthenticatorInfo) {
    this.ctap = ctap;
    this.token = token;
    this.command = info.options.bioEnroll !== undefined ? CTAP2.bioEnrollment : CTAP2.bioEnrollmentPreview;
  }

  static supported(info: AuthenticatorInfo): boolean {
    return info.options.bioEnroll !== undefined || info.options.userVerificationMgmtPreview !== undefined;
  }

  private async sub(subCommand: number, subParams?: Map<number, CanonicalValue>, signed = true, o?: CallOptions): Promise<Map<number | string, CborValue>> {
    const m = new Map<number, CanonicalValue>([[0x01, 1], [0x02, subCommand]]);
    if (subParams) m.set(0x03, subParams);
    if (signed && this.token) {
      m.set(0x04, this.token.protocol.version);
      m.set(0x05, pinUvAuthParam(this.token, Uint8Array.from([1, subCommand, ...(subParams ? encodeCanonical(subParams) : [])])));
    }
    return (await this.ctap.call(this.command, m, o)).map;
  }

  async modality(o?: CallOptions): Promise<number> {
    const m = (await this.ctap.call(this.command, new Map([[0x06, true]]), o)).map;
    const v = m.get(0x01);
    if (typeof v !== 'number') throw deviceError('DEVICE_PROTOCOL', 'bioEnrollment getModality answered without modality (0x01)');
    return v;
  }

  async sensorInfo(o?: CallOptions): Promise<SensorInfo> {
    const m = await this.sub(BIO_SUB.getFingerprintSensorInfo, undefined, false, o);
    const n = (k: number) => (typeof m.get(k) === 'number' ? (m.get(k) as number) : undefined);
    return { fingerprintKind: n(0x02), maxCaptureSamplesRequiredForEnroll: n(0x03), maxTemplateFriendlyName: n(0x08) };
  }

  private sample(m: Map<number | string, CborValue>, what: string): EnrollSample {
    const status = m.get(0x05);
    const remaining = m.get(0x06);
    const id = m.get(0x04);
    if (typeof status !== 'number' || typeof remaining !== 'number') throw deviceError('DEVICE_PROTOCOL', `bioEnrollment ${what} answered without lastEnrollSampleStatus (0x05) or remainingSamples (0x06)`);
    return { templateId: id instanceof Uint8Array ? id : undefined, lastEnrollSampleStatus: status, remainingSamples: remaining };
  }

  async enrollBegin(timeoutMs?: number, o?: CallOptions): Promise<EnrollSample> {
    const r = this.sample(await this.sub(BIO_SUB.enrollBegin, timeoutMs ? new Map([[0x03, timeoutMs]]) : undefined, true, o), 'enrollBegin');
    if (!r.templateId) throw deviceError('DEVICE_PROTOCOL', 'bioEnrollment enrollBegin answered without templateId (0x04)');
    if (r.remainingSamples === 0) await this.ctap.getInfo(o);
    return r;
  }

  async enrollCaptureNextSample(templateId: Uint8Array, timeoutMs?: number, o?: CallOptions): Promise<EnrollSample> {
    const r = this.sample(await this.sub(BIO_SUB.enrollCaptureNextSample, new Map<number, CanonicalValue>([[0x01, templateId], ...(timeoutMs ? [[0x03, timeoutMs] as [number, CanonicalValue]] : [])]), true, o), 'enrollCaptureNextSample');
    if (r.remainingSamples === 0) await this.ctap.getInfo(o);
    return r;
  }

  async cancelEnrollment(o?: CallOptions): Promise<void> {
    await this.sub(BIO_SUB.cancelCurrentEnrollment, undefined, false, o);
  }

  /** the enrolled templates (none: an empty list; the key answers CTAP2_ERR_INVALID_OPTION for none) */
  async enumerate(o?: CallOptions): Promise<{ templateId: Uint8Array; name?: string }[]> {
    let m;
    try {
      m = await this.sub(BIO_SUB.enumerateEnrollments, undefined, true, o);
    } catch (e) {
      if (e instanceof CtapError && e.ctapStatus === 0x2c) return [];
      throw e;
    }
    const list = m.get(0x07);
    if (!Array.isArray(list)) throw deviceError('DEVICE_PROTOCOL', 'bioEnrollment enumerateEnrollments answered without templateInfos (0x07)');
    return list.map((t) => {
      const id = t instanceof Map ? t.get(0x01) : undefined;
      if (!(id instanceof Uint8Array)) throw deviceError('DEVICE_PROTOCOL', 'bioEnrollment: a templateInfo without templateId (0x01)');
      const name = (t as Map<number, CborValue>).get(0x02);
      return { templateId: id, name: typeof name === 'string' ? name : undefined };
    });
  }

  async setFriendlyName(templateId: Uint8Array, name: string, o?: CallOptions): Promise<void> {
    await this.sub(BIO_SUB.setFriendlyName, new Map<number, CanonicalValue>([[0x01, templateId], [0x02, name]]), true, o);
  }

  async remove(templateId: Uint8Array, o?: CallOptions): Promise<void> {
    await this.sub(BIO_SUB.removeEnrollment, new Map([[0x01, templateId]]), true, o);
    await this.ctap.getInfo(o);
  }
}
