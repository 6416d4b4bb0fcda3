import crypto from 'node:crypto';
import type { CborValue } from '../../../cbor/decodeCbor.ts';
import { CTAP_STATUS as S } from '../../../ctap/status.ts';
import { coseToPublicKey, ecdh } from '../../../ctap/ctap2/pinProtocol.ts';
import type { DeviceContext } from '../DeviceContext.ts';
import type { SoftCredential } from '../DeviceState.ts';
import { refuse, type Params } from '../params.ts';
import type { DeviceExtension } from './DeviceExtension.ts';

export const HMAC_SECRET_FAULTS = {
  hmacUnstable: 'hmac-secret output unstable for the same salt',
  hmacIgnoresSecondSalt: "hmac-secret answering the first salt's output for the second",
  hmacSameWithAndWithoutUv: 'hmac-secret output not depending on user verification',
  hmacMissingParameterStatus: 'a missing saltEnc or saltAuth answered CTAP1_ERR_INVALID_PARAMETER instead of CTAP2_ERR_MISSING_PARAMETER',
} as const;

/**
 * The salts of an hmac-secret input (CTAP 2.3 §12.7; the same map for hmac-secret-mc, §12.8):
 * keyAgreement (1), saltEnc (2), saltAuth (3) required (CTAP2_ERR_MISSING_PARAMETER), the
 * protocol (4, default 1) supported (CTAP1_ERR_INVALID_PARAMETER), the platform key usable
 * (CTAP1_ERR_INVALID_PARAMETER), saltAuth right (CTAP2_ERR_PIN_AUTH_INVALID), one or two 32-byte
 * salts (CTAP1_ERR_INVALID_LENGTH). Returns the HMAC outputs, encrypted for the platform.
 */
export function hmacOutputs(d: DeviceContext, input: CborValue, cred: SoftCredential, uv: boolean): Uint8Array | undefined {
  if (!cred.credRandomWithUv || !cred.credRandomWithoutUv) return undefined;
  if (!(input instanceof Map)) refuse(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
  const m = input as Params;
  const missing = () => refuse(d.faults.hmacMissingParameterStatus ? S.CTAP1_ERR_INVALID_PARAMETER : S.CTAP2_ERR_MISSING_PARAMETER);
  const keyAgreement = m.get(1);
  const saltEnc = m.get(2);
  const saltAuth = m.get(3);
  if (keyAgreement === undefined || saltEnc === undefined || saltAuth === undefined) missing();
  if (!(keyAgreement instanceof Map) || !(saltEnc instanceof Uint8Array) || !(saltAuth instanceof Uint8Array)) refuse(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
  const version = m.get(4) ?? 1;
  if (typeof version !== 'number') refuse(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
  const protocol = d.protocol(version as number);
  const keys = d.state.keyAgreement.get(protocol.version)!;
  let shared: Uint8Array;
  try {
    shared = protocol.kdf(ecdh(keys.privateKey, coseToPublicKey(keyAgreement!, 'hmac-secret keyAgreement')));
  } catch {
    return refuse(S.CTAP1_ERR_INVALID_PARAMETER);
  }
  if (!protocol.verify(shared, saltEnc as Uint8Array, saltAuth as Uint8Array)) refuse(S.CTAP2_ERR_PIN_AUTH_INVALID);
  let salts: Uint8Array;
  try {
    salts = protocol.decrypt(shared, saltEnc as Uint8Array);
  } catch {
    return refuse(S.CTAP1_ERR_INVALID_LENGTH);
  }
  if (salts.length !== 32 && salts.length !== 64) refuse(S.CTAP1_ERR_INVALID_LENGTH);
  const key = d.faults.hmacUnstable ? new Uint8Array(crypto.randomBytes(32)) : uv && !d.faults.hmacSameWithAndWithoutUv ? cred.credRandomWithUv : cred.credRandomWithoutUv;
  const mac = (s: Uint8Array) => new Uint8Array(crypto.createHmac('sha256', key).update(s).digest());
  const out1 = mac(salts.subarray(0, 32));
  const out = salts.length === 64 ? Uint8Array.from([...out1, ...(d.faults.hmacIgnoresSecondSalt ? out1 : mac(salts.subarray(32)))]) : out1;
  return protocol.encrypt(shared, out);
}

/**
 * hmac-secret (CTAP 2.3 §12.7): `true` at makeCredential gives the credential its two CredRandom
 * values (one for user-verified requests, one for the rest); getAssertion turns one or two salts
 * into HMAC-SHA-256 outputs. Since CTAP 2.2 it needs a request that tests user presence: with
 * up=false the key answers CTAP2_ERR_UNSUPPORTED_OPTION.
 */
export const hmacSecret: DeviceExtension = {
  name: 'hmac-secret',
  supported: (f) => f.hmacSecret,
  makeCredential(_d, input, x) {
    if (input !== true) return;
    x.cred.credRandomWithUv = new Uint8Array(crypto.randomBytes(32));
    x.cred.credRandomWithoutUv = new Uint8Array(crypto.randomBytes(32));
    x.signed.set('hmac-secret', true);
  },
  getAssertion(d, input, x) {
    if (!x.up && d.f.level >= 22) refuse(S.CTAP2_ERR_UNSUPPORTED_OPTION);
    const out = hmacOutputs(d, input, x.cred, x.uv);
    if (out) x.signed.set('hmac-secret', out);
  },
};
