import type { MetadataEntry } from '../mds/MetadataBlob.ts';
import type { StepName } from './ceremonyPlan.ts';
import type { CtapEvidence } from './ctap/CtapEvidence.ts';

/**
 * What a conformance run collects: every ceremony with the options sent and the raw
 * response (or the client error), plus a snapshot of the key's MDS entry. Checks are pure
 * functions of this, so a stored run is re-evaluated when the catalogue or MDS changes.
 * Bytes stay base64url as they came (JSON boundary).
 */
export interface Ceremony {
  /** the plan step, e.g. "register-account-1" (see ceremonyPlan.ts) */
  step: StepName;
  kind: 'registration' | 'authentication';
  options: Record<string, any>;
  response?: Record<string, any>;
  /** a ceremony the client or authenticator refused (NotAllowedError…) */
  error?: { name: string; message: string };
  at: string;
}

export interface RunEvidence {
  schemaVersion: 1;
  id: string;
  startedAt: string;
  finishedAt?: string;
  /** software: the software key in this process; virtual: Chromium's; physical: a key through a browser; ctap: a key (or simulator) driven over CTAP */
  subject: { label: string; via: 'software' | 'virtual' | 'physical' | 'ctap'; profile?: string; firmware?: string };
  rpId: string;
  origin: string;
  ceremonies: Ceremony[];
  mds?: { no: number; nextUpdate: string; entry?: MetadataEntry };
  /** the key's own answers over CTAP (runs driven over CTAP only): what the `ctap` checks judge */
  ctap?: CtapEvidence;
  /** the run ended early: the authenticator stopped answering at this step */
  interrupted?: string;
}
