import type { ParsedAssertion } from '../webauthn/parseResponse.ts';
import { checkCeremony } from '../webauthn/checkCeremony.ts';
import { verifyAssertion } from '../webauthn/verifyAssertion.ts';
import { coseKeyToPublicKey } from '../webauthn/coseKey.ts';
import { decodeCbor } from '../cbor/decodeCbor.ts';
import { HarnessError } from '../errors/HarnessError.ts';
import type { Finding } from '../findings/Finding.ts';
import { authDataDefectFinding, type AnalysisOptions } from './analyzeRegistration.ts';

export interface AssertionAnalysis {
  verified: boolean;
  findings: Finding[];
}

/**
 * WebAuthn L3 §7.2 for a captured assertion. Without the credential public key the
 * signature cannot be checked and is reported as skipped (the rest still runs).
 */
export function analyzeAssertion(a: ParsedAssertion, o: Omit<AnalysisOptions, 'mds' | 'roots' | 'allowedAlgorithms'> & { credentialPublicKey?: Uint8Array; counter?: number; userHandle?: Uint8Array }): AssertionAnalysis {
  const x = { ...o, requireUserVerification: !!o.requireUserVerification };
  const defect = a.authData.defect ? [authDataDefectFinding(a.authData.defect)] : [];
  if (!o.credentialPublicKey) {
    const findings = [...defect, ...checkCeremony(a.clientData, a.authData, { ...x, ceremony: 'get' })];
    findings.push({ code: 'SIGNATURE', status: 'skip', spec: 'WebAuthn L3 §7.2 step 21', message: 'not checked: no credentialPublicKey given (wrap the response with it)' });
    return { verified: findings.every((f) => f.status !== 'fail'), findings };
  }
  const decoded = decodeCbor(o.credentialPublicKey, 'credentialPublicKey');
  if (!(decoded.value instanceof Map)) throw new HarnessError('BAD_COSE_KEY', 'credentialPublicKey is not a COSE_Key map');
  let key;
  try {
    key = coseKeyToPublicKey(decoded.value);
  } catch (e) {
    if (!(e instanceof HarnessError) || e.code !== 'UNSUPPORTED_ALGORITHM') throw e;
    // a registered algorithm the harness cannot verify: the rest is judged, the signature is not
    const findings = [...defect, ...checkCeremony(a.clientData, a.authData, { ...x, ceremony: 'get' })];
    findings.push({ code: 'SIGNATURE', status: 'skip', spec: 'WebAuthn L3 §7.2 step 21', message: `not checked: ${e.message}` });
    return { verified: findings.every((f) => f.status !== 'fail'), findings };
  }
  const v = verifyAssertion(a, x, { alg: key.alg, keyObject: key.keyObject, counter: o.counter ?? 0, userHandle: o.userHandle ?? a.userHandle ?? new Uint8Array() });
  return { verified: v.verified && !defect.length, findings: [...defect, ...v.findings] };
}
