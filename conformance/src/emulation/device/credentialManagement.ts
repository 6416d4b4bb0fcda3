import type { CanonicalValue } from '../../cbor/encodeCanonical.ts';
import { RawCbor } from '../../cbor/encodeCanonical.ts';
import { toBase64url } from '../../encoding/base64url.ts';
import { CM_SUB, PERMISSION } from '../../ctap/constants.ts';
import { CTAP_STATUS as S } from '../../ctap/status.ts';
import type { DeviceContext } from './DeviceContext.ts';
import type { SoftCredential } from './DeviceState.ts';
import { requireAuthParams, verifyToken } from './pinUvAuth.ts';
import { refuse, type Params } from './params.ts';
import { sha256 } from './authData.ts';
import { eq } from './makeCredential.ts';

export const CREDENTIAL_MANAGEMENT_FAULTS = {
  credMgmtMissesAccounts: 'credential management lists only one credential per RP',
  previewCommandsAlways: 'the FIDO_2_1_PRE commands (0x40, 0x41) answered by a key that does not list FIDO_2_1_PRE',
  persistentTokenCanDelete: 'the read-only persistent token (pcmr) accepted for deleteCredential',
  updateUserIgnored: 'updateUserInformation answers success and changes nothing (§6.8.6)',
} as const;

const READ_ONLY = new Set<number>([CM_SUB.getCredsMetadata, CM_SUB.enumerateRPsBegin, CM_SUB.enumerateCredentialsBegin]);

/**
 * authenticatorCredentialManagement (CTAP 2.3 §6.8): metadata, RPs and credentials enumerated
 * (with the follow-up subcommands valid only right after their begin), delete, update user. Every
 * begin is signed with a token holding cm (bound to no RP, or to the RP concerned), or, for the
 * read-only subcommands, with the persistent token holding pcmr (CTAP 2.2).
 */
export function credentialManagement(d: DeviceContext, p: Params, pending: { command: string; state: unknown } | undefined): Map<number, CanonicalValue> | undefined {
  const r = d.read;
  const state = d.state;
  const sub = r.required(p, 0x01, 'uint');
  const subParams = r.optional(p, 0x02, 'map');
  const version = r.optional(p, 0x03, 'uint');
  const param = r.optional(p, 0x04, 'bytes');
  if (![1, 2, 3, 4, 5, 6, 7].includes(sub)) refuse(S.CTAP2_ERR_INVALID_SUBCOMMAND);
  let tokenRpId: string | undefined;
  if (sub !== CM_SUB.enumerateRPsGetNextRP && sub !== CM_SUB.enumerateCredentialsGetNextCredential) {
    const a = requireAuthParams(d, param, version);
    const message = Uint8Array.from([sub, ...d.rawParam(0x02)]);
    const persistent = state.persistentToken;
    const viaPersistent = d.f.persistentToken && persistent.permissions & PERMISSION.pcmr && a.protocol.verify(persistent.value, message, a.param);
    if (viaPersistent) {
      if (!READ_ONLY.has(sub) && !d.faults.persistentTokenCanDelete) refuse(S.CTAP2_ERR_PIN_AUTH_INVALID);
    } else {
      tokenRpId = verifyToken(d, { param: a.param, protocol: a.protocol, message, permission: PERMISSION.cm, userVerifiedRequired: false }).rpId;
    }
  }
  const discoverable = [...state.credentials.values()].filter((c) => c.discoverable);
  const byRp = new Map<string, SoftCredential[]>();
  for (const c of discoverable) byRp.set(toBase64url(c.rpIdHash), [...(byRp.get(toBase64url(c.rpIdHash)) ?? []), c]);
  switch (sub) {
    case CM_SUB.getCredsMetadata:
      if (tokenRpId !== undefined) refuse(S.CTAP2_ERR_PIN_AUTH_INVALID);
      return new Map([[0x01, discoverable.length], [0x02, Math.max(0, d.f.residentCapacity - discoverable.length)]]);
    case CM_SUB.enumerateRPsBegin: {
      if (tokenRpId !== undefined) refuse(S.CTAP2_ERR_PIN_AUTH_INVALID);
      const rps = [...byRp.values()].map((cs) => cs[0]!);
      if (!rps.length) refuse(S.CTAP2_ERR_NO_CREDENTIALS);
      state.pending = { command: 'rps', state: rps.slice(1) };
      return new Map<number, CanonicalValue>([[0x03, rpEntity(rps[0]!)], [0x04, rps[0]!.rpIdHash], [0x05, rps.length]]);
    }
    case CM_SUB.enumerateRPsGetNextRP: {
      const rest = pending?.command === 'rps' ? (pending.state as SoftCredential[]) : undefined;
      const next = rest?.shift();
      if (!next) {
        state.pending = undefined;
        return refuse(S.CTAP2_ERR_NOT_ALLOWED);
      }
      state.pending = { command: 'rps', state: rest };
      return new Map<number, CanonicalValue>([[0x03, rpEntity(next)], [0x04, next.rpIdHash]]);
    }
    case CM_SUB.enumerateCredentialsBegin: {
      const hash = r.required(subParams, 0x01, 'bytes');
      if (tokenRpId !== undefined && !eq(sha256(tokenRpId), hash)) refuse(S.CTAP2_ERR_PIN_AUTH_INVALID);
      let creds = (byRp.get(toBase64url(hash)) ?? []).sort((a, b) => a.created - b.created);
      if (d.faults.credMgmtMissesAccounts) creds = creds.slice(-1);
      if (!creds.length) refuse(S.CTAP2_ERR_NO_CREDENTIALS);
      state.pending = { command: 'credentials', state: creds.slice(1) };
      return credentialEntry(creds[0]!, creds.length);
    }
    case CM_SUB.enumerateCredentialsGetNextCredential: {
      const rest = pending?.command === 'credentials' ? (pending.state as SoftCredential[]) : undefined;
      const next = rest?.shift();
      if (!next) {
        state.pending = undefined;
        return refuse(S.CTAP2_ERR_NOT_ALLOWED);
      }
      state.pending = { command: 'credentials', state: rest };
      return credentialEntry(next);
    }
    case CM_SUB.deleteCredential: {
      const id = descriptorId(d, subParams);
      const k = toBase64url(id);
      const c = state.credentials.get(k);
      if (!c?.discoverable) refuse(S.CTAP2_ERR_NO_CREDENTIALS);
      if (tokenRpId !== undefined && !eq(sha256(tokenRpId), c!.rpIdHash)) refuse(S.CTAP2_ERR_PIN_AUTH_INVALID);
      state.credentials.delete(k);
      state.credentialsChanged();
      d.changed();
      return undefined;
    }
    case CM_SUB.updateUserInformation: {
      const id = descriptorId(d, subParams);
      const user = r.required(subParams, 0x03, 'map');
      const userId = r.required(user, 'id', 'bytes');
      for (const m of ['name', 'displayName'] as const) r.optional(user, m, 'text');
      const c = state.credentials.get(toBase64url(id));
      if (!c?.discoverable) refuse(S.CTAP2_ERR_NO_CREDENTIALS);
      if (tokenRpId !== undefined && !eq(sha256(tokenRpId), c!.rpIdHash)) refuse(S.CTAP2_ERR_PIN_AUTH_INVALID);
      if (!eq(userId, c!.userHandle)) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
      // §6.8.6: the stored name and displayName are replaced (an absent one is removed)
      if (d.faults.updateUserIgnored) return undefined;
      c!.userName = typeof user.get('name') === 'string' ? (user.get('name') as string) : undefined;
      c!.userDisplayName = typeof user.get('displayName') === 'string' ? (user.get('displayName') as string) : undefined;
      d.changed();
      return undefined;
    }
    default:
      return refuse(S.CTAP2_ERR_INVALID_SUBCOMMAND);
  }
}

function descriptorId(d: DeviceContext, subParams: Params | undefined): Uint8Array {
  const desc = d.read.required(subParams, 0x02, 'map');
  d.read.required(desc, 'type', 'text');
  return d.read.required(desc, 'id', 'bytes');
}

function rpEntity(c: SoftCredential): CanonicalValue {
  return { id: c.rpId ?? '', ...(c.rpName ? { name: c.rpName } : {}) };
}

function credentialEntry(c: SoftCredential, total?: number): Map<number, CanonicalValue> {
  const m = new Map<number, CanonicalValue>([
    [0x06, { id: c.userHandle, ...(c.userName ? { name: c.userName } : {}), ...(c.userDisplayName ? { displayName: c.userDisplayName } : {}) }],
    [0x07, { type: 'public-key', id: c.id }],
    [0x08, new RawCbor(c.publicKeyCose)],
    [0x0a, c.credProtect],
  ]);
  if (total !== undefined) m.set(0x09, total);
  if (c.largeBlobKey) m.set(0x0b, c.largeBlobKey);
  if (c.thirdPartyPayment) m.set(0x0c, true);
  return m;
}
