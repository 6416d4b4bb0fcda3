import type { CborValue } from '../../cbor/decodeCbor.ts';
import { encodeCanonical, type CanonicalValue } from '../../cbor/encodeCanonical.ts';
import { toBase64url } from '../../encoding/base64url.ts';
import { PERMISSION } from '../../ctap/constants.ts';
import { CTAP_STATUS as S } from '../../ctap/status.ts';
import { signWith } from '../softAttestation.ts';
import type { DeviceContext, DeviceTamper } from './DeviceContext.ts';
import type { SoftCredential } from './DeviceState.ts';
import { authDataFlags, buildAuthData, sha256 } from './authData.ts';
import { verifyToken } from './pinUvAuth.ts';
import { refuse, type Params } from './params.ts';
import { eq, looseDescriptors } from './makeCredential.ts';
import { DEVICE_EXTENSIONS } from './extensions/registry.ts';
import type { GaExtension } from './extensions/DeviceExtension.ts';

/** Defects of getAssertion and getNextAssertion. */
export const GET_ASSERTION_FAULTS = {
  counterStuck: 'signature counter stuck',
  counterBackwards: 'signature counter going backwards',
  rkOptionAccepted: 'getAssertion with the rk option accepted (§6.2.2 step 4.4: CTAP2_ERR_UNSUPPORTED_OPTION)',
  userDetailsWithoutUv: 'user name and displayName returned without user verification (§6.2.2 step 12.3 MUST NOT)',
  numberOfCredentialsWithAllowList: 'numberOfCredentials returned for an allowList request (§6.2.2 step 11.2 deletes it)',
  presenceBeforeNoCredentials: 'a touch asked for before answering CTAP2_ERR_NO_CREDENTIALS (§6.2.2 step 7.6 answers first)',
  credentialsPerTransport: 'a credential made over one of the key\'s transports (USB, NFC) is unknown over the other (CTAP2_ERR_NO_CREDENTIALS)',
} as const;

/** How long getNextAssertion may follow (CTAP 2.1 §6.3: the timer of step 12.2.2.3). */
export const NEXT_ASSERTION_WINDOW_MS = 30_000;

interface PendingAssertions {
  list: SoftCredential[];
  rpId: string;
  clientDataHash: Uint8Array;
  uv: boolean;
  up: boolean;
  extensions: Params;
  expires: number;
}

/** authenticatorGetAssertion (CTAP 2.3 §6.2.2), step by step. */
export async function getAssertion(d: DeviceContext, p: Params): Promise<Map<number, CanonicalValue>> {
  const r = d.read;
  const faults = d.faults;
  const state = d.state;
  const rpId = r.required(p, 0x01, 'text');
  const clientDataHash = r.required(p, 0x02, 'bytes');
  const allow = faults.descriptorsNotValidated ? looseDescriptors(p.get(0x03)) : (r.descriptors(p, 0x03) ?? []);
  const ext = r.extensions(p, 0x04);
  const options = r.options(p, 0x05);
  const pinUvAuthParam = r.optional(p, 0x06, 'bytes');
  const pinUvAuthProtocol = r.optional(p, 0x07, 'uint');
  // step 1
  if (pinUvAuthParam !== undefined && pinUvAuthParam.length === 0 && d.pinUvSupported) {
    if (faults.zeroLengthPinAuthNotProbed) refuse(S.CTAP2_ERR_PIN_AUTH_INVALID);
    await d.presence();
    refuse(state.pinIsSet ? S.CTAP2_ERR_PIN_INVALID : S.CTAP2_ERR_PIN_NOT_SET);
  }
  // step 2
  const protocol = pinUvAuthParam !== undefined ? (pinUvAuthProtocol === undefined ? refuse(S.CTAP2_ERR_MISSING_PARAMETER) : d.protocol(pinUvAuthProtocol)) : undefined;
  // step 4: options
  if (faults.unknownOptionRefused && [...options.keys()].some((k) => !['rk', 'up', 'uv'].includes(k))) refuse(S.CTAP2_ERR_INVALID_OPTION);
  let uvOption = pinUvAuthParam === undefined && options.get('uv') === true;
  if (uvOption && !d.uvConfigured) refuse(S.CTAP2_ERR_INVALID_OPTION);
  if (options.has('rk') && !faults.rkOptionAccepted) refuse(S.CTAP2_ERR_UNSUPPORTED_OPTION);
  const up = options.get('up') !== false;
  // step 5: alwaysUv (for requests that test presence)
  const pinForGa = d.f.pinSupported && !d.f.noMcGaPermissionsWithClientPin;
  if (state.alwaysUv && up && !faults.alwaysUvIgnored) {
    if (!d.protectedByUv) refuse(pinForGa ? S.CTAP2_ERR_PUAT_REQUIRED : S.CTAP2_ERR_OPERATION_DENIED);
    if (pinUvAuthParam === undefined && !uvOption) {
      if (d.uvConfigured) uvOption = true;
      else refuse(pinForGa ? S.CTAP2_ERR_PUAT_REQUIRED : S.CTAP2_ERR_OPERATION_DENIED);
    }
  }
  // step 6: user verification
  let uv = false;
  let upFromUv = false;
  if (d.protectedByUv) {
    if (protocol) {
      verifyToken(d, { param: pinUvAuthParam!, protocol, message: clientDataHash, permission: PERMISSION.ga, rpId, bindRp: true });
      uv = true;
    } else if (uvOption) {
      const u = await d.builtInUv();
      if (u !== 'ok') refuse(state.pinIsSet && pinForGa ? S.CTAP2_ERR_PUAT_REQUIRED : u === 'blocked' ? S.CTAP2_ERR_PIN_BLOCKED : S.CTAP2_ERR_OPERATION_DENIED);
      uv = true;
      upFromUv = true;
    }
  }
  // step 7: the applicable credentials
  const rpIdHash = sha256(rpId);
  let list: SoftCredential[];
  if (allow.length) {
    list = allow.filter((x) => x.type === 'public-key').map((x) => state.credentials.get(toBase64url(x.id))).filter((c): c is SoftCredential => !!c && eq(c.rpIdHash, rpIdHash) && !(faults.credentialsPerTransport && c.madeOver && c.madeOver !== d.req.transport));
  } else {
    list = [...state.credentials.values()].filter((c) => c.discoverable && eq(c.rpIdHash, rpIdHash));
  }
  // credProtect (CTAP 2.1 §12.1): level 3 only with UV; level 2 without UV only through the allow list
  if (!uv && !faults.credProtectNotEnforced) list = list.filter((c) => c.credProtect === 1 || (c.credProtect === 2 && allow.length > 0));
  if (!list.length) {
    if (faults.presenceBeforeNoCredentials && up) await d.presence();
    refuse(S.CTAP2_ERR_NO_CREDENTIALS);
  }
  // steps 8-9: user presence
  let upBit = upFromUv;
  if (up && !upFromUv) {
    if (!(protocol && state.token.userPresent)) await d.presence();
    upBit = true;
  }
  if (up && protocol && !faults.tokenReusable) state.clearTokenAfterPresence();
  const tamper = d.tamper;
  // steps 11-12: which credential, and what comes next
  if (allow.length) {
    state.pending = undefined;
    return assertion(d, list[0]!, { rpId, clientDataHash, uv, up: upBit, ext, tamper, allowListUsed: true, numberOfCredentials: faults.numberOfCredentialsWithAllowList && list.length > 1 ? list.length : undefined });
  }
  list.sort((a, b) => b.created - a.created);
  if (list.length > 1) {
    const pend: PendingAssertions = { list: list.slice(1), rpId, clientDataHash, uv, up: upBit, extensions: ext, expires: Date.now() + NEXT_ASSERTION_WINDOW_MS };
    state.pending = { command: 'assertion', state: pend };
  } else state.pending = undefined;
  return assertion(d, list[0]!, { rpId, clientDataHash, uv, up: upBit, ext, tamper, allowListUsed: false, numberOfCredentials: list.length > 1 ? list.length : undefined });
}

/** authenticatorGetNextAssertion (CTAP 2.1 §6.3): the next credential of the remembered request, while its timer runs. */
export function getNextAssertion(d: DeviceContext): Map<number, CanonicalValue> {
  const pend = d.state.pending?.command === 'assertion' ? (d.state.pending.state as PendingAssertions) : undefined;
  if (!pend || Date.now() > pend.expires || !pend.list.length) {
    d.state.pending = undefined;
    return refuse(S.CTAP2_ERR_NOT_ALLOWED);
  }
  const next = pend.list.shift()!;
  return assertion(d, next, { rpId: pend.rpId, clientDataHash: pend.clientDataHash, uv: pend.uv, up: pend.up, ext: pend.extensions, tamper: {}, allowListUsed: false });
}

function assertion(d: DeviceContext, cred: SoftCredential, o: { rpId: string; clientDataHash: Uint8Array; uv: boolean; up: boolean; ext: Params; tamper: DeviceTamper; numberOfCredentials?: number; allowListUsed: boolean }): Map<number, CanonicalValue> {
  const state = d.state;
  const x: GaExtension = { cred, rpId: o.rpId, uv: o.uv, up: o.up, allowListUsed: o.allowListUsed, inputs: o.ext, signed: new Map(), unsigned: new Map(), response: new Map() };
  for (const e of DEVICE_EXTENSIONS) {
    const input = o.ext.get(e.name);
    if (input !== undefined && e.getAssertion && e.supported(d.f)) e.getAssertion(d, input as CborValue, x);
  }
  if (d.f.counter === 'global') cred.signCount = state.globalCounter = state.globalCounter + 1;
  else cred.signCount += 1;
  if (d.faults.counterStuck) cred.signCount = 1;
  if (d.faults.counterBackwards) cred.signCount = cred.signCount <= 1 ? 10 : Math.max(0, 10 - cred.signCount);
  const authData = buildAuthData(d, { rpIdHash: o.tamper.rpId ? sha256(o.tamper.rpId) : cred.rpIdHash, flags: authDataFlags(d, o.tamper, { up: o.up, uv: o.uv }), counter: o.tamper.signCount ?? cred.signCount, extensions: x.signed.size ? encodeCanonical(x.signed) : undefined });
  let sig = signWith(cred.alg, cred.privateKey, Uint8Array.from([...authData, ...o.clientDataHash]));
  if (o.tamper.bogusSignature) {
    sig = Uint8Array.from(sig);
    sig[sig.length - 1] = sig[sig.length - 1]! ^ 0x01;
  }
  d.changed();
  const body = new Map<number, CanonicalValue>([[0x01, { type: 'public-key', id: cred.id }], [0x02, authData], [0x03, sig]]);
  const details = o.uv || d.faults.userDetailsWithoutUv;
  if (cred.discoverable) body.set(0x04, { id: cred.userHandle, ...(details && cred.userName ? { name: cred.userName } : {}), ...(details && cred.userDisplayName ? { displayName: cred.userDisplayName } : {}) });
  if (o.numberOfCredentials) body.set(0x05, o.numberOfCredentials);
  for (const [k, v] of x.response) body.set(k, v);
  if (x.unsigned.size) body.set(0x08, x.unsigned);
  return body;
}
