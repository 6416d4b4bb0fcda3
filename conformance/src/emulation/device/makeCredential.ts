import crypto from 'node:crypto';
import type { CborValue } from '../../cbor/decodeCbor.ts';
import { encodeCanonical, type CanonicalValue } from '../../cbor/encodeCanonical.ts';
import { toBase64url } from '../../encoding/base64url.ts';
import { COSE_ALG } from '../../webauthn/coseKey.ts';
import { PERMISSION } from '../../ctap/constants.ts';
import { PresenceCancelled } from '../../ctap/connection/AuthenticatorCore.ts';
import { CTAP_STATUS as S } from '../../ctap/status.ts';
import { attestationStatement, generateCredentialKey, type AttestationMaterial } from '../softAttestation.ts';
import type { DeviceContext } from './DeviceContext.ts';
import type { SoftCredential } from './DeviceState.ts';
import { authDataFlags, buildAuthData, sha256 } from './authData.ts';
import { verifyToken } from './pinUvAuth.ts';
import { refuse, type Params } from './params.ts';
import { DEVICE_EXTENSIONS } from './extensions/registry.ts';
import type { McExtension } from './extensions/DeviceExtension.ts';

/** Defects of makeCredential, each next to the rule it breaks. */
export const MAKE_CREDENTIAL_FAULTS = {
  shortCredentialId: '8-byte credential IDs',
  singleResidentSlot: 'a new resident credential for an RP replaces every other one on that RP',
  residentNotStored: 'rk requested and accepted, but the credential is not kept as discoverable',
  bogusAttestationSignature: 'bogus attestation signature',
  attestationSignedByCredentialKey: 'packed x5c sent, but the statement signed with the credential key',
  aaguidMismatch: 'AAGUID in authData differs from the certificate',
  nonCanonicalCbor: 'attestation statement keys out of CTAP2 canonical order',
  wrongCoseKeyType: 'wrong COSE key type for the credential key',
  zeroLengthPinAuthNotProbed: 'a zero-length pinUvAuthParam refused at once instead of asking for a touch and answering PIN_NOT_SET / PIN_INVALID (§6.1.2 step 1)',
  pubKeyCredParamsNotValidated: 'pubKeyCredParams elements without type, or with a non-integer alg, skipped instead of refused (§6.1.2 step 3)',
  entityTypesNotChecked: 'rp and user members of the wrong type accepted (rp.name a number, user.id text)',
  descriptorsNotValidated: 'malformed excludeList / allowList descriptors accepted',
  unknownOptionRefused: 'an option the key does not know refused instead of ignored (§6.1.2 step 5)',
  upFalseAccepted: 'makeCredential with up=false accepted (§6.1.2 step 5.6: CTAP2_ERR_INVALID_OPTION)',
  uvNotRequiredWithPin: 'a PIN-protected key making a credential without user verification where CTAP 2.1 §6.1.2 step 8 refuses it',
  alwaysUvIgnored: 'alwaysUv enabled, yet makeCredential without user verification accepted (§6.1.2 step 6)',
  epForAnyRp: 'vendor-facilitated enterprise attestation given to an RP ID the key does not list (§7.1)',
  excludeListWithoutPresence: 'an excluded credential refused without asking for a touch (§6.1.2 step 12.1.4)',
  epAttWithoutEnterprise: 'epAtt true in the answer although no enterprise attestation was asked for or given (§6.1: epAtt says whether one was returned)',
} as const;

/**
 * authenticatorMakeCredential (CTAP 2.3 §6.1.2), step by step: parameters typed and required as
 * §6.1 says, the zero-length pinUvAuthParam probe, pubKeyCredParams validated, options, alwaysUv
 * and makeCredUvNotRqd, enterprise attestation, user verification by token or built-in method,
 * the excludeList, user presence, extensions, the credential (discoverable or not), attestation.
 */
export async function makeCredential(d: DeviceContext, p: Params): Promise<Map<number, CanonicalValue>> {
  const r = d.read;
  const faults = d.faults;
  const state = d.state;
  // §6.1: required members and types (before any step: a malformed request changes nothing)
  const clientDataHash = r.required(p, 0x01, 'bytes');
  const rp = r.required(p, 0x02, 'map');
  const user = r.required(p, 0x03, 'map');
  const credParams = r.required(p, 0x04, 'array');
  const rpId = faults.entityTypesNotChecked ? (typeof rp.get('id') === 'string' ? (rp.get('id') as string) : r.missing()) : r.required(rp, 'id', 'text');
  const userId = faults.entityTypesNotChecked ? (user.get('id') instanceof Uint8Array ? (user.get('id') as Uint8Array) : r.missing()) : r.required(user, 'id', 'bytes');
  if (!faults.entityTypesNotChecked) {
    for (const k of ['name', 'icon'] as const) r.optional(rp, k, 'text');
    for (const k of ['name', 'displayName', 'icon'] as const) r.optional(user, k, 'text');
  }
  if (userId.length > 64) refuse(S.CTAP1_ERR_INVALID_LENGTH);
  const exclude = faults.descriptorsNotValidated ? looseDescriptors(p.get(0x05)) : (r.descriptors(p, 0x05) ?? []);
  const ext = r.extensions(p, 0x06);
  const options = r.options(p, 0x07);
  const pinUvAuthParam = r.optional(p, 0x08, 'bytes');
  const pinUvAuthProtocol = r.optional(p, 0x09, 'uint');
  const enterprise = r.optional(p, 0x0a, 'uint');
  r.optional(p, 0x0b, 'array'); // attestationFormatsPreference (CTAP 2.2): this key makes one format

  // step 1: a zero-length pinUvAuthParam asks which key the person means
  if (pinUvAuthParam !== undefined && pinUvAuthParam.length === 0 && d.pinUvSupported) {
    if (faults.zeroLengthPinAuthNotProbed) refuse(S.CTAP2_ERR_PIN_AUTH_INVALID);
    await d.presence();
    refuse(state.pinIsSet ? S.CTAP2_ERR_PIN_INVALID : S.CTAP2_ERR_PIN_NOT_SET);
  }
  // step 2
  const protocol = pinUvAuthParam !== undefined ? (pinUvAuthProtocol === undefined ? refuse(S.CTAP2_ERR_MISSING_PARAMETER) : d.protocol(pinUvAuthProtocol)) : undefined;
  // step 3: every element validated, the first supported algorithm chosen
  let alg: number | undefined;
  for (const e of credParams) {
    if (!(e instanceof Map)) {
      if (faults.pubKeyCredParamsNotValidated) continue;
      refuse(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
    }
    const el = e as Params;
    if (faults.pubKeyCredParamsNotValidated) {
      if (el.get('type') === 'public-key' && typeof el.get('alg') === 'number' && alg === undefined && d.identity.algorithms.includes(el.get('alg') as number)) alg = el.get('alg') as number;
      continue;
    }
    const type = r.required(el, 'type', 'text');
    if (type !== 'public-key') continue; // a type this key does not know: its members are not its business
    const a = r.required(el, 'alg', 'int');
    if (alg === undefined && d.identity.algorithms.includes(a)) alg = a;
  }
  if (alg === undefined) refuse(S.CTAP2_ERR_UNSUPPORTED_ALGORITHM);
  // step 5: options
  if (faults.unknownOptionRefused && [...options.keys()].some((k) => !['rk', 'up', 'uv'].includes(k))) refuse(S.CTAP2_ERR_INVALID_OPTION);
  let uvOption = pinUvAuthParam === undefined && options.get('uv') === true;
  if (uvOption && !d.uvConfigured) refuse(S.CTAP2_ERR_INVALID_OPTION);
  const rkPresent = options.has('rk');
  if (rkPresent && !d.f.rk) refuse(S.CTAP2_ERR_UNSUPPORTED_OPTION);
  const rk = options.get('rk') === true;
  if (options.get('up') === false && !faults.upFalseAccepted) refuse(S.CTAP2_ERR_INVALID_OPTION);
  // step 6: alwaysUv
  const pinForMc = d.f.pinSupported && !d.f.noMcGaPermissionsWithClientPin;
  let makeCredUvNotRqd = d.f.level >= 21;
  if (state.alwaysUv && !faults.alwaysUvIgnored) {
    makeCredUvNotRqd = false;
    if (!d.protectedByUv) refuse(pinForMc ? S.CTAP2_ERR_PUAT_REQUIRED : S.CTAP2_ERR_OPERATION_DENIED);
    if (pinUvAuthParam === undefined && !uvOption) {
      if (d.uvConfigured) uvOption = true;
      else refuse(pinForMc ? S.CTAP2_ERR_PUAT_REQUIRED : S.CTAP2_ERR_OPERATION_DENIED);
    }
  }
  // steps 7-8: makeCredUvNotRqd (a CTAP 2.0 key wants verification for every credential once protected)
  if (d.protectedByUv && !uvOption && pinUvAuthParam === undefined && (rk || !makeCredUvNotRqd) && !faults.uvNotRequiredWithPin) {
    refuse(state.pinIsSet && pinForMc ? S.CTAP2_ERR_PUAT_REQUIRED : S.CTAP2_ERR_OPERATION_DENIED);
  }
  // step 9: enterprise attestation
  if (enterprise !== undefined) {
    if (!d.identity.enterprise || !state.epEnabled) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
    if (enterprise !== 1 && enterprise !== 2) refuse(S.CTAP2_ERR_INVALID_OPTION);
  }
  // step 11: user verification
  let uv = false;
  let upFromUv = false;
  if (d.protectedByUv) {
    if (protocol) {
      verifyToken(d, { param: pinUvAuthParam!, protocol, message: clientDataHash, permission: PERMISSION.mc, rpId, bindRp: true });
      uv = true;
    } else if (uvOption) {
      const u = await d.builtInUv();
      if (u === 'blocked') refuse(S.CTAP2_ERR_PIN_BLOCKED);
      if (u === 'fail') refuse(S.CTAP2_ERR_OPERATION_DENIED);
      uv = true;
      upFromUv = true;
    }
  }
  // step 12: the excludeList
  const rpIdHash = sha256(rpId);
  for (const x of exclude) {
    if (x.type !== 'public-key') continue;
    const c = state.credentials.get(toBase64url(x.id));
    if (!c || !eq(c.rpIdHash, rpIdHash)) continue;
    if (c.credProtect === 3 && !uv && !faults.credProtectNotEnforced) continue; // 12.2: invisible without UV
    // 12.1.4: a touch is asked for, and whether it comes or not the answer is CREDENTIAL_EXCLUDED
    if (!faults.excludeListWithoutPresence && !(protocol && state.token.userPresent)) {
      await d.presence().catch((e) => {
        if (e instanceof PresenceCancelled) throw e;
      });
    }
    refuse(S.CTAP2_ERR_CREDENTIAL_EXCLUDED);
  }
  // steps 13-14: user presence
  if (!upFromUv && !(protocol && state.token.userPresent)) await d.presence();
  if (protocol && !faults.tokenReusable) state.clearTokenAfterPresence();
  // steps 15-18: the credential, its extensions
  const tamper = d.tamper;
  const { privateKey, publicKeyCose } = generateCredentialKey(alg!, { eddsaCurve: d.f.eddsaCurve });
  const id = new Uint8Array(crypto.randomBytes(faults.shortCredentialId ? 8 : 32));
  const cred: SoftCredential = {
    id, alg: alg!, privateKey, publicKeyCose, rpId, rpIdHash, rpName: str(rp.get('name')),
    userHandle: userId, userName: str(user.get('name')), userDisplayName: str(user.get('displayName')),
    signCount: 0, discoverable: rk, credProtect: 1, created: ++state.sequence,
    ...(faults.credentialsPerTransport ? { madeOver: d.req.transport } : {}),
  };
  const x: McExtension = { cred, rpId, rk, uv, inputs: ext, signed: new Map(), unsigned: new Map(), response: new Map() };
  for (const e of DEVICE_EXTENSIONS) {
    const input = ext.get(e.name);
    if (input !== undefined && e.makeCredential && e.supported(d.f)) e.makeCredential(d, input, x);
  }
  if (rk) {
    const sameUser = (c: SoftCredential) => c.discoverable && eq(c.rpIdHash, rpIdHash) && eq(c.userHandle, userId);
    if ([...state.credentials.values()].filter((c) => c.discoverable && !sameUser(c)).length >= d.f.residentCapacity) refuse(S.CTAP2_ERR_KEY_STORE_FULL);
    // step 17.2: a discoverable credential for the same (rp.id, user.id) is overwritten
    for (const [k, c] of state.credentials) if (sameUser(c) || (faults.singleResidentSlot && c.discoverable && eq(c.rpIdHash, rpIdHash))) state.credentials.delete(k);
    state.credentialsChanged();
  }
  if (faults.residentNotStored && rk) cred.discoverable = false; // silently
  state.credentials.set(toBase64url(id), cred);
  // step 19: attestation
  const counter = tamper.signCount ?? (d.f.counter === 'global' ? state.globalCounter : 0);
  const aaguid = faults.aaguidMismatch ? Uint8Array.from(d.identity.aaguid, (b, i) => (i === 15 ? b ^ 0xff : b)) : d.identity.aaguid;
  // kty is the first map entry (a5 01 02 for EC2): relabelled (wrongCoseKeyType) without touching the rest
  const cose = faults.wrongCoseKeyType ? Uint8Array.from(publicKeyCose, (b, i) => (i === 2 ? (b === 2 ? 1 : 2) : b)) : publicKeyCose;
  const attested = Uint8Array.from([...aaguid, id.length >> 8, id.length & 0xff, ...id, ...cose]);
  const authData = buildAuthData(d, { rpIdHash: tamper.rpId ? sha256(tamper.rpId) : rpIdHash, flags: authDataFlags(d, tamper, { up: true, uv }), counter, attested, extensions: x.signed.size ? encodeCanonical(x.signed) : undefined });
  const signedData = Uint8Array.from([...authData, ...clientDataHash]);
  const ent = d.identity.enterprise;
  const useEnterprise = enterprise !== undefined && !!ent && (enterprise === 2 || ent.rpIds.includes(rpId) || !!faults.epForAnyRp);
  const material: AttestationMaterial = useEnterprise ? { kind: 'packed-full', key: ent!.key, x5c: ent!.x5c } : d.identity.attestation;
  let u2fData: Uint8Array | undefined;
  if (material.kind === 'fido-u2f') {
    if (alg !== COSE_ALG.ES256) refuse(S.CTAP2_ERR_UNSUPPORTED_ALGORITHM);
    const jwk = privateKey.export({ format: 'jwk' });
    u2fData = Uint8Array.from([0, ...authData.subarray(0, 32), ...clientDataHash, ...id, 4, ...Buffer.from(jwk.x!, 'base64url'), ...Buffer.from(jwk.y!, 'base64url')]);
  }
  const st = attestationStatement({ material, alg: alg!, credentialKey: privateKey, signedData, u2fData, corruptSignature: tamper.bogusSignature || faults.bogusAttestationSignature, signWithCredentialKey: faults.attestationSignedByCredentialKey, outOfOrder: faults.nonCanonicalCbor });
  d.changed();
  const body = new Map<number, CanonicalValue>([[0x01, st.fmt], [0x02, authData], [0x03, st.attStmt]]);
  if (useEnterprise || faults.epAttWithoutEnterprise) body.set(0x04, true);
  for (const [k, v] of x.response) body.set(k, v);
  if (x.unsigned.size) body.set(0x06, x.unsigned);
  return body;
}

const str = (v: CborValue | undefined) => (typeof v === 'string' ? v : undefined);
export const eq = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.from(a).equals(Buffer.from(b));

/** descriptorsNotValidated: whatever looks like a descriptor, the rest skipped */
export function looseDescriptors(v: CborValue | undefined): { type: string; id: Uint8Array }[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((d) => (d instanceof Map && d.get('id') instanceof Uint8Array ? [{ type: typeof d.get('type') === 'string' ? (d.get('type') as string) : 'public-key', id: d.get('id') as Uint8Array }] : []));
}
