import type { CborValue } from '../../cbor/decodeCbor.ts';
import { encodeCanonical, type CanonicalValue } from '../../cbor/encodeCanonical.ts';
import { CM_SUB, CTAP2 } from '../constants.ts';
import { CtapError, deviceError } from '../CtapError.ts';
import type { CallOptions } from '../connection/CallOptions.ts';
import type { Ctap2Client } from './Ctap2Client.ts';
import type { AuthenticatorInfo } from './getInfo.ts';
import { pinUvAuthParam, type PinUvAuthToken } from './clientPin.ts';

export interface ManagedRp {
  rp: { id?: string; name?: string };
  rpIdHash: Uint8Array;
}

export interface ManagedCredential {
  user: { id: Uint8Array; name?: string; displayName?: string };
  credentialId: Uint8Array;
  publicKey: Map<number | string, CborValue>;
  credProtect?: number;
  largeBlobKey?: Uint8Array;
}

/**
 * authenticatorCredentialManagement (CTAP 2.1 §6.8; the 2.1-PRE command 0x41 for keys that only
 * list credentialMgmtPreview): what Windows uses to show and delete a key's passkeys. Every
 * request is signed with a token that has the cm permission.
 */
export class CredentialManagement {
  readonly ctap: Ctap2Client;
  readonly token: PinUvAuthToken;
  readonly command: number;

  constructor(ctap: Ctap2Client, token: PinUvAuthToken, info: AuthenticatorInfo) {
    this.ctap = ctap;
    this.token = token;
    this.command = info.options.credMgmt ? CTAP2.credentialManagement : CTAP2.credentialManagementPreview;
  }

  static supported(info: AuthenticatorInfo): boolean {
    return info.options.credMgmt === true || info.options.credentialMgmtPreview === true;
  }

  private async sub(subCommand: number, params?: Map<number, CanonicalValue>, signed = true, o?: CallOptions): Promise<Map<number | string, CborValue>> {
    const req = new Map<number, CanonicalValue>([[0x01, subCommand]]);
    if (params) req.set(0x02, params);
    if (signed) {
      const message = Uint8Array.from([subCommand, ...(params ? encodeCanonical(params) : [])]);
      req.set(0x03, this.token.protocol.version);
      req.set(0x04, pinUvAuthParam(this.token, message));
    }
    return (await this.ctap.call(this.command, req, o)).map;
  }

  async metadata(o?: CallOptions): Promise<{ existing: number; remaining: number }> {
    const m = await this.sub(CM_SUB.getCredsMetadata, undefined, true, o);
    const existing = m.get(0x01);
    const remaining = m.get(0x02);
    if (typeof existing !== 'number' || typeof remaining !== 'number') throw deviceError('DEVICE_PROTOCOL', 'credentialManagement getCredsMetadata answered without the two counts (0x01, 0x02)');
    return { existing, remaining };
  }

  /** Every RP with discoverable credentials (none: an empty list, CTAP2_ERR_NO_CREDENTIALS is not an error here). */
  async rps(o?: CallOptions): Promise<ManagedRp[]> {
    let first;
    try {
      first = await this.sub(CM_SUB.enumerateRPsBegin, undefined, true, o);
    } catch (e) {
      if (e instanceof CtapError && e.ctapStatus === 0x2e) return [];
      throw e;
    }
    const total = first.get(0x05);
    const out = [readRp(first)];
    for (let i = 1; i < (typeof total === 'number' ? total : 1); i++) out.push(readRp(await this.sub(CM_SUB.enumerateRPsGetNextRP, undefined, false, o)));
    return out;
  }

  /** Every discoverable credential for one RP (by its rpIdHash). */
  async credentials(rpIdHash: Uint8Array, o?: CallOptions): Promise<ManagedCredential[]> {
    let first;
    try {
      first = await this.sub(CM_SUB.enumerateCredentialsBegin, new Map([[0x01, rpIdHash]]), true, o);
    } catch (e) {
      if (e instanceof CtapError && e.ctapStatus === 0x2e) return [];
      throw e;
    }
    const total = first.get(0x09);
    const out = [readCredential(first)];
    for (let i = 1; i < (typeof total === 'number' ? total : 1); i++) out.push(readCredential(await this.sub(CM_SUB.enumerateCredentialsGetNextCredential, undefined, false, o)));
    return out;
  }

  async delete(credentialId: Uint8Array, o?: CallOptions): Promise<void> {
    await this.sub(CM_SUB.deleteCredential, new Map([[0x02, { type: 'public-key', id: credentialId }]]), true, o);
  }

  async updateUser(credentialId: Uint8Array, user: { id: Uint8Array; name?: string; displayName?: string }, o?: CallOptions): Promise<void> {
    await this.sub(CM_SUB.updateUserInformation, new Map<number, CanonicalValue>([[0x02, { type: 'public-key', id: credentialId }], [0x03, { id: user.id, ...(user.name ? { name: user.name } : {}), ...(user.displayName ? { displayName: user.displayName } : {}) }]]), true, o);
  }
}

function readRp(m: Map<number | string, CborValue>): ManagedRp {
  const rp = m.get(0x03);
  const hash = m.get(0x04);
  if (!(rp instanceof Map) || !(hash instanceof Uint8Array)) throw deviceError('DEVICE_PROTOCOL', 'credentialManagement: an RP answer lacks rp (0x03) or rpIDHash (0x04)');
  const text = (v: CborValue) => (typeof v === 'string' ? v : undefined);
  return { rp: { id: text(rp.get('id')), name: text(rp.get('name')) }, rpIdHash: hash };
}

function readCredential(m: Map<number | string, CborValue>): ManagedCredential {
  const user = m.get(0x06);
  const id = m.get(0x07);
  const key = m.get(0x08);
  if (!(user instanceof Map) || !(user.get('id') instanceof Uint8Array) || !(id instanceof Map) || !(id.get('id') instanceof Uint8Array) || !(key instanceof Map)) {
    throw deviceError('DEVICE_PROTOCOL', 'credentialManagement: a credential answer lacks user (0x06), credentialID (0x07) or publicKey (0x08)');
  }
  const text = (v: CborValue) => (typeof v === 'string' ? v : undefined);
  const cp = m.get(0x0a);
  const lbk = m.get(0x0b);
  return {
    user: { id: user.get('id') as Uint8Array, name: text(user.get('name')), displayName: text(user.get('displayName')) },
    credentialId: id.get('id') as Uint8Array,
    publicKey: key as Map<number | string, CborValue>,
    credProtect: typeof cp === 'number' ? cp : undefined,
    largeBlobKey: lbk instanceof Uint8Array ? lbk : undefined,
  };
}
