import crypto from 'node:crypto';
import type { ClientData } from './parseClientDataJSON.ts';
import type { AuthenticatorData } from './parseAuthenticatorData.ts';
import { verdict, skipped, type Finding } from '../findings/Finding.ts';
import { toHex } from '../encoding/base64url.ts';

export interface CeremonyExpectations {
  ceremony: 'create' | 'get';
  /** base64url challenge the RP issued (absent: the step is reported as skipped) */
  challenge?: string;
  /** origins the RP accepts (exact match, WebAuthn L3 §13.4.9); absent: skipped */
  origins?: readonly string[];
  /** absent: skipped */
  rpId?: string;
  /** userVerification was "required" */
  requireUserVerification: boolean;
  /** allow clientData.crossOrigin=true (iframes); default false */
  allowCrossOrigin?: boolean;
}

const rpIdHashCache = new Map<string, Buffer>();
function rpIdHash(rpId: string): Buffer {
  let h = rpIdHashCache.get(rpId);
  if (!h) {
    h = crypto.createHash('sha256').update(rpId).digest();
    if (rpIdHashCache.size > 64) rpIdHashCache.clear();
    rpIdHashCache.set(rpId, h);
  }
  return h;
}

/**
 * The client-data and authenticator-data steps shared by registration (WebAuthn L3 §7.1
 * steps 7-16) and authentication (§7.2 steps 11-18). One finding per step; never stops
 * early, so a vendor sees every broken rule at once.
 */
export function checkCeremony(cd: ClientData, ad: AuthenticatorData, x: CeremonyExpectations): Finding[] {
  const reg = x.ceremony === 'create';
  const step = (r: number, a: number) => `WebAuthn L3 §${reg ? '7.1' : '7.2'} step ${reg ? r : a}`;
  const out: Finding[] = [];
  const expType = reg ? 'webauthn.create' : 'webauthn.get';
  out.push(verdict('CLIENT_DATA_TYPE', cd.type === expType, step(7, 11), 'clientData.type', expType, cd.type));
  out.push(x.challenge === undefined ? skipped('CLIENT_DATA_CHALLENGE', step(8, 12), 'no expected challenge given') : verdict('CLIENT_DATA_CHALLENGE', cd.challenge === x.challenge, step(8, 12), 'clientData.challenge equals the challenge the RP issued', x.challenge, cd.challenge));
  out.push(x.origins === undefined ? skipped('CLIENT_DATA_ORIGIN', step(9, 13), 'no expected origin given') : verdict('CLIENT_DATA_ORIGIN', x.origins.includes(cd.origin), step(9, 13), 'clientData.origin is an origin this RP accepts', x.origins.join(' | '), cd.origin));
  if (cd.crossOrigin === true || cd.topOrigin !== undefined) {
    out.push(verdict('CLIENT_DATA_CROSS_ORIGIN', !!x.allowCrossOrigin, step(10, 14), 'ceremony performed in a cross-origin iframe', 'crossOrigin false (not embedded)', `crossOrigin ${String(cd.crossOrigin)}, topOrigin ${cd.topOrigin ?? '-'}`));
  }
  if (x.rpId === undefined) {
    out.push(skipped('RP_ID_HASH', step(13, 15), 'no expected RP ID given'));
  } else {
    const expHash = rpIdHash(x.rpId);
    out.push(verdict('RP_ID_HASH', expHash.equals(ad.rpIdHash), step(13, 15), `authData.rpIdHash is SHA-256("${x.rpId}")`, expHash.toString('hex'), toHex(ad.rpIdHash)));
  }
  out.push(verdict('FLAG_UP', ad.flags.UP, step(14, 16), 'User Present flag set', 'UP=1', `UP=${Number(ad.flags.UP)}`));
  if (x.requireUserVerification) {
    out.push(verdict('FLAG_UV', ad.flags.UV, step(15, 17), 'User Verified flag set (userVerification was "required")', 'UV=1', 'UV=0'));
  }
  out.push(verdict('FLAG_BE_BS', ad.flags.BE || !ad.flags.BS, step(16, 18), 'Backup State set only when Backup Eligible is set', 'BS=0 when BE=0', `BE=${Number(ad.flags.BE)} BS=${Number(ad.flags.BS)}`));
  if (reg && ad.flags.AT && ad.defect) {
    out.push(skipped('FLAG_AT', 'WebAuthn L3 §6.5.1', 'AT is set; whether the attested credential data is whole is AUTHDATA_STRUCTURE\'s finding'));
  } else if (reg) {
    out.push(verdict('FLAG_AT', ad.flags.AT && !!ad.attestedCredentialData, 'WebAuthn L3 §6.5.1', 'registration authData carries attested credential data', 'AT=1 with credential data', `AT=${Number(ad.flags.AT)}`));
  }
  return out;
}

