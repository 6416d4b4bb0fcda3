import type { FormatInput } from '../FormatVerifier.ts';

/** authenticatorData || clientDataHash: what most formats sign (WebAuthn L3 §8). */
export function signedData(input: FormatInput): Uint8Array {
  const out = new Uint8Array(input.authData.bytes.length + input.clientDataHash.length);
  out.set(input.authData.bytes, 0);
  out.set(input.clientDataHash, input.authData.bytes.length);
  return out;
}
