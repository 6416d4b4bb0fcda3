import type { RunEvidence, Ceremony } from './RunEvidence.ts';
import type { MetadataEntry } from '../mds/MetadataBlob.ts';
import { snapshotMetadata } from '../mds/MetadataProvider.ts';
import { parseAuthenticationResponse, parseRegistrationResponse, type ParsedAssertion, type ParsedRegistration } from '../webauthn/parseResponse.ts';
import { analyzeRegistration, type RegistrationAnalysis } from '../attestation/analyzeRegistration.ts';
import { coseKeyToPublicKey, verifyCoseSignature } from '../webauthn/coseKey.ts';
import { toBase64url } from '../encoding/base64url.ts';
import crypto from 'node:crypto';
import { decodeGetInfo, type AuthenticatorInfo } from '../ctap/ctap2/getInfo.ts';
import { fromBase64url } from '../encoding/base64url.ts';
import type { CtapEvidence } from './ctap/CtapEvidence.ts';

export interface RegistrationView {
  ceremony: Ceremony;
  parsed: ParsedRegistration;
  analysis: RegistrationAnalysis;
  credentialId: string;
}

export interface AssertionView {
  ceremony: Ceremony;
  parsed: ParsedAssertion;
  credentialId: string;
  /** the registration this assertion's credential came from, when the run has it */
  registration?: RegistrationView;
  signatureValid: boolean;
}

/**
 * The run, decoded and analysed once for all checks: registrations through the attestation
 * analysis (with the MDS entry snapshot as its metadata), assertions matched to their
 * credentials and their signatures checked. Responses that do not even parse are kept as
 * `unparseable` so checks can say so instead of crashing.
 */
export interface EvaluationContext {
  run: RunEvidence;
  at: Date;
  entry?: MetadataEntry;
  registrations: RegistrationView[];
  assertions: AssertionView[];
  failedCeremonies: Ceremony[];
  unparseable: { ceremony: Ceremony; error: string }[];
  step(name: string): Ceremony | undefined;
  /** the key's own CTAP answers, with its getInfo decoded (runs over CTAP only) */
  ctap?: { evidence: CtapEvidence; info?: AuthenticatorInfo; infoError?: string };
}

function ctapContext(ev: CtapEvidence | undefined): EvaluationContext['ctap'] {
  if (!ev) return undefined;
  try {
    return { evidence: ev, info: decodeGetInfo(fromBase64url(ev.getInfo, 'ctap.getInfo')) };
  } catch (e) {
    return { evidence: ev, infoError: (e as Error).message };
  }
}

export function buildContext(run: RunEvidence, at: Date): EvaluationContext {
  const entry = run.mds?.entry;
  const registrations: RegistrationView[] = [];
  const assertions: AssertionView[] = [];
  const unparseable: EvaluationContext['unparseable'] = [];
  const failedCeremonies = run.ceremonies.filter((c) => !c.response);
  const snapshot = entry && run.mds ? snapshotMetadata(run.mds) : undefined;
  for (const c of run.ceremonies.filter((x) => x.kind === 'registration' && x.response)) {
    try {
      const parsed = parseRegistrationResponse(c.response, { allowTrailing: true });
      const analysis = analyzeRegistration(parsed, { challenge: c.options.challenge, origins: [run.origin], rpId: run.rpId, at, requireUserVerification: c.options.authenticatorSelection?.userVerification === 'required', mds: snapshot });
      registrations.push({ ceremony: c, parsed, analysis, credentialId: toBase64url(parsed.rawId) });
    } catch (e) {
      unparseable.push({ ceremony: c, error: (e as Error).message });
    }
  }
  for (const c of run.ceremonies.filter((x) => x.kind === 'authentication' && x.response)) {
    try {
      const parsed = parseAuthenticationResponse(c.response, { allowTrailing: true });
      const credentialId = toBase64url(parsed.rawId);
      const registration = registrations.find((r) => r.credentialId === credentialId);
      let signatureValid = false;
      if (registration) {
        try {
          const key = coseKeyToPublicKey(registration.parsed.authData.attestedCredentialData!.publicKey);
          const data = Buffer.concat([parsed.authData.bytes, crypto.createHash('sha256').update(parsed.clientDataJSON).digest()]);
          signatureValid = verifyCoseSignature(key.alg, key.keyObject, data, parsed.signature);
        } catch {
          signatureValid = false; // an unusable credential key: WEBAUTHN_RP_VERIFICATION reports it
        }
      }
      assertions.push({ ceremony: c, parsed, credentialId, registration, signatureValid });
    } catch (e) {
      unparseable.push({ ceremony: c, error: (e as Error).message });
    }
  }
  return { run, at, entry, registrations, assertions, failedCeremonies, unparseable, step: (name) => run.ceremonies.find((c) => c.step === name), ctap: ctapContext(run.ctap) };
}
