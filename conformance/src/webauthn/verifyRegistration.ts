import { verifyRegistrationResponse } from '@simplewebauthn/server';
import type { ParsedRegistration } from './parseResponse.ts';
import { checkCeremony, verdict, type CeremonyExpectations } from './checkCeremony.ts';
import { coseKeyToPublicKey, COSE_ALG_NAMES, type PublicKeyInfo } from './coseKey.ts';
import type { Finding } from './Finding.ts';
import { HarnessError } from '../errors/HarnessError.ts';

export interface RegistrationVerdict {
  verified: boolean;
  findings: Finding[];
  publicKey?: PublicKeyInfo;
}

/**
 * WebAuthn L3 §7.1 for one registration. Client/authenticator-data steps are ours (stable
 * codes); the attestation statement (steps 19-21) is verified by @simplewebauthn/server
 * until the per-format verifiers of the attestation library replace it.
 */
export async function verifyRegistration(
  raw: unknown,
  p: ParsedRegistration,
  x: Omit<CeremonyExpectations, 'ceremony'> & { allowedAlgorithms: readonly number[] },
): Promise<RegistrationVerdict> {
  const findings = checkCeremony(p.clientData, p.authData, { ...x, ceremony: 'create' });
  const acd = p.authData.attestedCredentialData!;
  let publicKey: PublicKeyInfo | undefined;
  try {
    publicKey = coseKeyToPublicKey(acd.publicKey);
  } catch (e) {
    if (!(e instanceof HarnessError)) throw e;
    findings.push({ code: 'CREDENTIAL_PUBLIC_KEY', status: 'fail', spec: 'WebAuthn L3 §6.5.1.1', message: e.message });
  }
  if (publicKey) {
    findings.push(
      verdict('ALG_ALLOWED', x.allowedAlgorithms.includes(publicKey.alg), 'WebAuthn L3 §7.1 step 18', 'credential algorithm is one the RP offered in pubKeyCredParams', x.allowedAlgorithms.map((a) => COSE_ALG_NAMES[a] ?? a).join(', '), publicKey.algName),
    );
  }
  if (findings.every((f) => f.status !== 'fail')) {
    let ok = false;
    let why = '';
    try {
      const r = await verifyRegistrationResponse({
        response: raw as Parameters<typeof verifyRegistrationResponse>[0]['response'],
        expectedChallenge: x.challenge,
        expectedOrigin: [...x.origins],
        expectedRPID: x.rpId,
        requireUserVerification: x.requireUserVerification,
        supportedAlgorithmIDs: [...x.allowedAlgorithms],
      });
      ok = r.verified;
      why = ok ? '' : 'the attestation statement did not verify';
    } catch (e) {
      why = (e as Error).message;
    }
    findings.push(verdict('ATTESTATION_STATEMENT', ok, 'WebAuthn L3 §7.1 steps 19-21, §8', `"${p.fmt}" attestation statement verifies`, 'valid statement', why));
  }
  return { verified: findings.every((f) => f.status !== 'fail'), findings, publicKey };
}
