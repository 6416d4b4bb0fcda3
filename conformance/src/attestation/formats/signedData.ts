import type crypto from 'node:crypto';
import type { FormatInput } from '../FormatVerifier.ts';
import { verdict, skipped, type Finding } from '../../findings/Finding.ts';
import type { FindingCode } from '../../findings/findingCodes.ts';
import { isVerifiableAlgorithm, notVerifiableReason, verifyCoseSignature } from '../../webauthn/coseKey.ts';

/** authenticatorData || clientDataHash: what most formats sign (WebAuthn L3 §8). */
export function signedData(input: FormatInput): Uint8Array {
  const out = new Uint8Array(input.authData.bytes.length + input.clientDataHash.length);
  out.set(input.authData.bytes, 0);
  out.set(input.clientDataHash, input.authData.bytes.length);
  return out;
}

/**
 * The verdict on an attestation signature: pass or fail when the harness verifies `alg`, a
 * skip naming the algorithm when it cannot (never a failure blamed on the key).
 */
export function signatureVerdict(code: FindingCode, spec: string, alg: number, key: crypto.KeyObject, data: Uint8Array, sig: Uint8Array, message: string, actual = 'does not verify'): Finding {
  if (!isVerifiableAlgorithm(alg)) return skipped(code, spec, notVerifiableReason(alg));
  return verdict(code, verifyCoseSignature(alg, key, data, sig), spec, message, 'valid signature', actual);
}
