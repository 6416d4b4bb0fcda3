import type { CborValue } from '../../../cbor/decodeCbor.ts';
import type { CanonicalValue } from '../../../cbor/encodeCanonical.ts';
import type { CallOptions } from '../../connection/CallOptions.ts';
import { HarnessError } from '../../../errors/HarnessError.ts';
import type { Ctap2Client } from '../Ctap2Client.ts';
import { ClientPin } from '../clientPin.ts';
import type { AuthenticatorInfo } from '../getInfo.ts';
import type { CoseKeyAgreement, PinUvAuthProtocol } from '../pinProtocol.ts';

/** The hmac-secret extension identifier (CTAP 2.3 §12.7). */
export const HMAC_SECRET = 'hmac-secret';

/** A shared secret with the key for one request's salts (a fresh key agreement each time). */
export interface HmacSecretSession {
  protocol: PinUvAuthProtocol;
  keyAgreement: CoseKeyAgreement;
  sharedSecret: Uint8Array;
}

export const hmacSecret = {
  name: HMAC_SECRET,
  supported: (info: AuthenticatorInfo) => info.extensions.includes(HMAC_SECRET),

  /** makeCredential input: ask for the credential's CredRandom */
  createInput: (): CanonicalValue => true,

  /** makeCredential output (authData extensions): whether the credential has it */
  created: (authDataExtensions: Map<string | number, CborValue> | undefined): boolean => authDataExtensions?.get(HMAC_SECRET) === true,

  /** getKeyAgreement on the protocol the salts will travel with */
  async session(ctap: Ctap2Client, protocol: PinUvAuthProtocol, o?: CallOptions): Promise<HmacSecretSession> {
    const ka = await new ClientPin(ctap, protocol).keyAgreement(o);
    return { protocol, keyAgreement: ka.keyAgreement, sharedSecret: ka.sharedSecret };
  },

  /**
   * The input map for one or two 32-byte salts: keyAgreement, saltEnc = encrypt(shared, salt1 ||
   * salt2), saltAuth = authenticate(shared, saltEnc), and the protocol when it is not 1. The same
   * map is the hmac-secret-mc input at makeCredential.
   */
  input(s: HmacSecretSession, salts: Uint8Array[]): Map<number, CanonicalValue> {
    if (salts.length < 1 || salts.length > 2 || salts.some((x) => x.length !== 32)) throw new HarnessError('BAD_USAGE', 'hmac-secret takes one or two salts of 32 bytes');
    const saltEnc = s.protocol.encrypt(s.sharedSecret, Uint8Array.from(salts.flatMap((x) => [...x])));
    const m = new Map<number, CanonicalValue>([[1, s.keyAgreement as Map<number, CanonicalValue>], [2, saltEnc], [3, s.protocol.authenticate(s.sharedSecret, saltEnc)]]);
    if (s.protocol.version !== 1) m.set(4, s.protocol.version);
    return m;
  },

  /**
   * The outputs in authenticator data (hmac-secret at getAssertion, hmac-secret-mc at
   * makeCredential) decrypted: output1, and output2 when two salts went in. Undefined when the key
   * sent none or something that does not decrypt to 32 or 64 bytes.
   */
  outputs(s: HmacSecretSession, encrypted: CborValue | undefined): { output1: Uint8Array; output2?: Uint8Array } | undefined {
    if (!(encrypted instanceof Uint8Array)) return undefined;
    let plain: Uint8Array;
    try {
      plain = s.protocol.decrypt(s.sharedSecret, encrypted);
    } catch {
      return undefined;
    }
    if (plain.length !== 32 && plain.length !== 64) return undefined;
    return { output1: plain.subarray(0, 32), ...(plain.length === 64 ? { output2: plain.subarray(32) } : {}) };
  },
};
