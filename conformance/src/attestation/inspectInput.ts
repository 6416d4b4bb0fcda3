import type { X509Certificate } from 'node:crypto';
import { HarnessError } from '../errors/HarnessError.ts';
import { fromBase64url, describeType } from '../encoding/base64url.ts';
import { parseAuthenticationResponse, parseRegistrationResponse } from '../webauthn/parseResponse.ts';
import { describeAssertion, describeRegistration } from '../webauthn/describeResponse.ts';
import { analyzeRegistration } from './analyzeRegistration.ts';
import { analyzeAssertion } from './analyzeAssertion.ts';
import type { MetadataProvider } from '../mds/MetadataProvider.ts';
import type { Finding } from '../findings/Finding.ts';
import { KNOWN_ALGORITHMS } from '../webauthn/coseKey.ts';

export interface InspectOptions {
  /** verification time; else the wrapper's captureTime; else now */
  at?: Date;
  roots?: X509Certificate[];
  mds?: MetadataProvider;
  now?: () => Date;
}

export interface InspectResult {
  kind: 'registration' | 'authentication';
  verified: boolean;
  findings: Finding[];
  at: string;
  atBasis: 'option' | 'captureTime' | 'now';
  summary: {
    fmt?: string;
    aaguid?: string;
    attestationType?: string;
    trust?: string;
    trustAnchor?: string;
    mdsDescription?: string;
    mdsStatus?: string;
    credentialAlg?: string;
    declared?: unknown;
  };
  decoded: unknown;
}

/**
 * `inspect` on one input: a RegistrationResponseJSON or AuthenticationResponseJSON, alone or
 * wrapped as { response, expectedChallenge, expectedOrigin, expectedRPID,
 * requireUserVerification?, expectedAlgorithms?, credentialPublicKey?, counter?, captureTime? }.
 * `expectedAlgorithms`: the COSE algorithms the RP offered in pubKeyCredParams (default: every
 * algorithm this harness verifies), judged by ALG_ALLOWED.
 * Bad input (not JSON, not base64url, not CBOR, not a response) throws HarnessError; an
 * authenticator defect, authenticator data that does not parse included, is a failing finding.
 */
export function inspectInput(json: unknown, o: InspectOptions = {}): InspectResult {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new HarnessError('BAD_INPUT', `expected a JSON object (a WebAuthn response, or one wrapped with its context), got ${describeType(json)}`);
  }
  const w = json as Record<string, any>;
  const wrapped = typeof w.response === 'object' && w.response !== null && ('rawId' in w.response || 'type' in w.response) && !('clientDataJSON' in w.response);
  const response = wrapped ? w.response : w;
  const ctx = wrapped ? w : {};
  const str = (k: string) => {
    const v = ctx[k];
    if (v !== undefined && typeof v !== 'string') throw new HarnessError('BAD_INPUT', `${k} must be a string`);
    return v as string | undefined;
  };
  const capture = typeof ctx.captureTime === 'string' ? ctx.captureTime : ctx.captureTime?.time;
  let at: Date;
  let atBasis: InspectResult['atBasis'];
  if (o.at) {
    at = o.at;
    atBasis = 'option';
  } else if (capture) {
    at = new Date(capture);
    atBasis = 'captureTime';
    if (Number.isNaN(at.getTime())) throw new HarnessError('BAD_INPUT', `captureTime ${JSON.stringify(capture)} is not a date`);
  } else {
    at = o.now?.() ?? new Date();
    atBasis = 'now';
  }
  const origin = str('expectedOrigin');
  const common = {
    challenge: str('expectedChallenge'),
    origins: origin === undefined ? undefined : [origin],
    rpId: str('expectedRPID'),
    requireUserVerification: ctx.requireUserVerification === true,
    at,
  };
  // not said: every signature algorithm the harness knows by name was offered (one it cannot verify is still not the key's fault)
  let expectedAlgorithms: readonly number[] = KNOWN_ALGORITHMS;
  if (ctx.expectedAlgorithms !== undefined) {
    const e = ctx.expectedAlgorithms;
    if (!Array.isArray(e) || !e.length || e.length > 64 || !e.every((x) => Number.isInteger(x))) throw new HarnessError('BAD_INPUT', 'expectedAlgorithms must be a non-empty array of COSE algorithm identifiers (integers, e.g. [-7, -257]), as pubKeyCredParams listed them');
    expectedAlgorithms = e;
  }
  const isRegistration = typeof response?.response === 'object' && response.response !== null && 'attestationObject' in response.response;
  if (isRegistration) {
    const p = parseRegistrationResponse(response, { lenient: true });
    const a = analyzeRegistration(p, { ...common, roots: o.roots, mds: o.mds, allowedAlgorithms: expectedAlgorithms });
    return {
      kind: 'registration',
      verified: a.verified,
      findings: a.findings,
      at: at.toISOString(),
      atBasis,
      summary: {
        fmt: a.fmt,
        aaguid: a.aaguid,
        attestationType: a.attestationType,
        trust: a.trust,
        trustAnchor: a.trustAnchor,
        mdsDescription: a.mdsEntry?.metadataStatement?.description,
        mdsStatus: a.findings.find((f) => f.code === 'MDS_STATUS')?.message,
        credentialAlg: a.credentialKey?.algName,
        declared: a.declared,
      },
      decoded: describeRegistration(p),
    };
  }
  const p = parseAuthenticationResponse(response, { lenient: true });
  const a = analyzeAssertion(p, {
    ...common,
    credentialPublicKey: ctx.credentialPublicKey === undefined ? undefined : fromBase64url(ctx.credentialPublicKey, 'credentialPublicKey'),
    counter: typeof ctx.counter === 'number' ? ctx.counter : undefined,
  });
  return { kind: 'authentication', verified: a.verified, findings: a.findings, at: at.toISOString(), atBasis, summary: {}, decoded: describeAssertion(p) };
}
