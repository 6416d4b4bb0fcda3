import crypto from 'node:crypto';
import type { ParsedAssertion } from './parseResponse.ts';
import { checkCeremony, type CeremonyExpectations } from './checkCeremony.ts';
import { verdict } from '../findings/Finding.ts';
import { verifyCoseSignature, verifyCoseSignatureOffThread, COSE_ALG_NAMES } from './coseKey.ts';
import type { Finding } from '../findings/Finding.ts';
import { toBase64url } from '../encoding/base64url.ts';

export interface StoredCredentialKey {
  alg: number;
  keyObject: crypto.KeyObject;
  counter: number;
  /** user handle of the account the credential belongs to */
  userHandle: Uint8Array;
}

export interface AssertionVerdict {
  verified: boolean;
  findings: Finding[];
  newCounter: number;
  /** the authenticator's counter did not increase although one side is non-zero (§7.2 step 22) */
  counterRegression: boolean;
}

/**
 * WebAuthn L3 §7.2 for one assertion, on node:crypto with a cached KeyObject: the lean
 * path the RP server uses (no ASN.1 in JS, no re-decoding the COSE key per request).
 */
export function verifyAssertion(a: ParsedAssertion, x: Omit<CeremonyExpectations, 'ceremony'>, cred: StoredCredentialKey): AssertionVerdict {
  return judgeAssertion(a, x, cred, verifyCoseSignature(cred.alg, cred.keyObject, signedData(a), a.signature));
}

/** verifyAssertion with the signature checked on libuv's thread pool (the RP server's route: its event loop is not held by the check) */
export async function verifyAssertionOffThread(a: ParsedAssertion, x: Omit<CeremonyExpectations, 'ceremony'>, cred: StoredCredentialKey): Promise<AssertionVerdict> {
  return judgeAssertion(a, x, cred, await verifyCoseSignatureOffThread(cred.alg, cred.keyObject, signedData(a), a.signature));
}

/** steps 19-20: what the signature covers, authenticatorData || SHA-256(clientDataJSON) */
function signedData(a: ParsedAssertion): Buffer {
  const hash = crypto.createHash('sha256').update(a.clientDataJSON).digest();
  return Buffer.concat([a.authData.bytes, hash]);
}

function judgeAssertion(a: ParsedAssertion, x: Omit<CeremonyExpectations, 'ceremony'>, cred: StoredCredentialKey, sigOk: boolean): AssertionVerdict {
  const findings = checkCeremony(a.clientData, a.authData, { ...x, ceremony: 'get' });
  // step 6: the user handle, when returned, must be the credential's owner
  if (a.userHandle) {
    const same = Buffer.from(a.userHandle).equals(Buffer.from(cred.userHandle));
    findings.push(verdict('USER_HANDLE', same, 'WebAuthn L3 §7.2 step 6', 'userHandle names the account that owns the credential', toBase64url(cred.userHandle), toBase64url(a.userHandle)));
  }
  // step 21: the signature
  findings.push(verdict('SIGNATURE', sigOk, 'WebAuthn L3 §7.2 step 21', `assertion signature verifies with the registered ${COSE_ALG_NAMES[cred.alg] ?? cred.alg} key`, 'valid signature', `signature of ${a.signature.length} bytes does not verify`));
  // step 22: signature counter
  const got = a.authData.signCount;
  const regression = (got !== 0 || cred.counter !== 0) && got <= cred.counter;
  findings.push(verdict('SIGN_COUNT', !regression, 'WebAuthn L3 §7.2 step 22', 'signCount increases (or both stored and received are 0)', `> ${cred.counter}`, String(got)));
  return { verified: findings.every((f) => f.status !== 'fail'), findings, newCounter: Math.max(got, cred.counter), counterRegression: regression };
}
