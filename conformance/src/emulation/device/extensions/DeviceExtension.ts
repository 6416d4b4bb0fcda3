import type { CborValue } from '../../../cbor/decodeCbor.ts';
import type { CanonicalValue } from '../../../cbor/encodeCanonical.ts';
import type { DeviceContext } from '../DeviceContext.ts';
import type { SoftCredential } from '../DeviceState.ts';
import type { ResolvedFeatures } from '../features.ts';

/** What an extension sees and adds to while makeCredential runs (CTAP 2.1 §6.1.2 step 15). */
export interface McExtension {
  cred: SoftCredential;
  rpId: string;
  rk: boolean;
  uv: boolean;
  /** every extension input of the request (one extension may depend on another: hmac-secret-mc on hmac-secret) */
  inputs: Map<string | number, CborValue>;
  /** authenticator extension outputs (signed, in authData) */
  signed: Map<string, CanonicalValue>;
  /** unsignedExtensionOutputs (response member 0x06, CTAP 2.2) */
  unsigned: Map<string, CanonicalValue>;
  /** other response members an extension contributes (largeBlobKey 0x05) */
  response: Map<number, CanonicalValue>;
}

/** Likewise for getAssertion (§6.2.2 step 10), per credential returned. */
export interface GaExtension {
  cred: SoftCredential;
  rpId: string;
  uv: boolean;
  up: boolean;
  allowListUsed: boolean;
  inputs: Map<string | number, CborValue>;
  signed: Map<string, CanonicalValue>;
  /** unsignedExtensionOutputs (response member 0x08, CTAP 2.2) */
  unsigned: Map<string, CanonicalValue>;
  /** other response members (largeBlobKey 0x07) */
  response: Map<number, CanonicalValue>;
}

/**
 * One authenticator extension on the key's side: whether the key lists it, and what it does with
 * its input in each command. An input the key does not support is ignored (§6.1.2 step 15.1); an
 * input it supports but finds malformed is refused with the status its section names.
 */
export interface DeviceExtension {
  /** the extension identifier (getInfo extensions, the key of the extensions map) */
  readonly name: string;
  /** listed in getInfo extensions */
  supported(f: ResolvedFeatures): boolean;
  /** also listed when the key does not support it (getInfoDeclaresMissingExtension), for the fault */
  makeCredential?(d: DeviceContext, input: CborValue, x: McExtension): void;
  getAssertion?(d: DeviceContext, input: CborValue, x: GaExtension): void;
}
