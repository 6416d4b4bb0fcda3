import { HarnessError } from '../errors/HarnessError.ts';
import { isJsonObject, parseJsonDocument } from '../encoding/parseJsonDocument.ts';
import { AAGUID_TEXT } from '../encoding/formatAaguid.ts';
import { closestWord } from '../encoding/closestWord.ts';

/**
 * Microsoft Entra passkey profiles: a tenant's passkey (FIDO2) policy holds up to three
 * profiles, each with attestation enforcement (disabled or at registration), the passkey types
 * it targets (device-bound, synced) and key restrictions (an AAGUID allow or block list). A user
 * may register a passkey when any profile they are in allows it; key restrictions apply at
 * sign-in too. The input is what Microsoft Graph gives: one passkeyProfile, an array of them, a
 * collection ({ value: [...] }) or the passkey policy ({ passkeyProfiles: [...] }).
 *
 * Sources (Microsoft Learn): "How to enable passkey profiles in Microsoft Entra ID"
 * (how-to-authentication-passkey-profiles), Microsoft Graph "passkeyProfile resource type" and
 * "fido2KeyRestrictions resource type", and "Attestation for passkey (FIDO2) vendors"
 * (concept-fido2-hardware-vendor) for what enforced attestation demands of the key.
 */
export const PASSKEY_PROFILE_SOURCE = 'Microsoft Learn: how-to-authentication-passkey-profiles; Microsoft Graph passkeyProfile and fido2KeyRestrictions resource types';

export interface PasskeyProfile {
  id: string;
  name: string;
  attestationEnforcement: 'disabled' | 'registrationOnly';
  passkeyTypes: ('deviceBound' | 'synced')[];
  keyRestrictions: { isEnforcementEnabled: boolean; enforcementType: 'allow' | 'block'; aaguids: string[] };
}

/** Entra's limit on profiles per tenant */
export const MAX_PASSKEY_PROFILES = 3;
const MEMBERS = ['@odata.type', 'id', 'name', 'attestationEnforcement', 'isAttestationEnforced', 'passkeyTypes', 'keyRestrictions'];
const RESTRICTION_MEMBERS = ['@odata.type', 'isEnforcementEnabled', 'enforcementType', 'aaguids'];

/** Read a tenant's passkey profiles from Graph JSON; every problem named with where it is. */
export function readPasskeyProfiles(text: string, name: string): PasskeyProfile[] {
  const doc = parseJsonDocument(text, name, { maxBytes: 1024 * 1024, what: 'a tenant\'s passkey profiles', sizeCode: 'BAD_INPUT', jsonCode: 'BAD_JSON' });
  const list = Array.isArray(doc) ? doc : isJsonObject(doc) && Array.isArray(doc.passkeyProfiles) ? doc.passkeyProfiles : isJsonObject(doc) && Array.isArray(doc.value) ? doc.value : isJsonObject(doc) ? [doc] : undefined;
  if (!list) throw new HarnessError('BAD_INPUT', `${name}: expected a passkeyProfile object, an array of them, { "value": [...] } or { "passkeyProfiles": [...] } (Microsoft Graph)`);
  if (!list.length) throw new HarnessError('BAD_INPUT', `${name}: no passkey profile in it`);
  if (list.length > MAX_PASSKEY_PROFILES) throw new HarnessError('BAD_INPUT', `${name}: ${list.length} passkey profiles; an Entra tenant has at most ${MAX_PASSKEY_PROFILES}`);
  return list.map((p, i) => readProfile(p, `${name}: profile ${i + 1}`));
}

function readProfile(p: unknown, where: string): PasskeyProfile {
  if (!isJsonObject(p)) throw new HarnessError('BAD_INPUT', `${where} is not a JSON object`);
  for (const k of Object.keys(p)) {
    if (MEMBERS.includes(k)) continue;
    const near = closestWord(k, MEMBERS);
    throw new HarnessError('BAD_INPUT', `${where} has no member ${JSON.stringify(k)}${near ? `: did you mean "${near}"?` : ''} (passkeyProfile: ${MEMBERS.slice(1).join(', ')})`);
  }
  const text = (k: string) => {
    const v = p[k];
    if (typeof v !== 'string' || !v || v.length > 256) throw new HarnessError('BAD_INPUT', `${where}: ${k} must be a non-empty string of at most 256 characters`);
    return v;
  };
  const id = text('id');
  const name = p.name === undefined ? id : text('name');
  const enforcement = p.attestationEnforcement ?? (p.isAttestationEnforced === true ? 'registrationOnly' : p.isAttestationEnforced === false ? 'disabled' : undefined);
  if (enforcement !== 'disabled' && enforcement !== 'registrationOnly') throw new HarnessError('BAD_INPUT', `${where} (${name}): attestationEnforcement must be "disabled" or "registrationOnly", got ${JSON.stringify(enforcement)}`);
  // Graph writes a flags enum as one comma-separated string; an array is taken too
  const rawTypes = typeof p.passkeyTypes === 'string' ? p.passkeyTypes.split(',').map((s) => s.trim()) : p.passkeyTypes;
  if (!Array.isArray(rawTypes) || !rawTypes.length || !rawTypes.every((t) => t === 'deviceBound' || t === 'synced')) throw new HarnessError('BAD_INPUT', `${where} (${name}): passkeyTypes must be "deviceBound", "synced" or "deviceBound,synced", got ${JSON.stringify(p.passkeyTypes)}`);
  const kr = p.keyRestrictions ?? { isEnforcementEnabled: false, enforcementType: 'allow', aaguids: [] };
  if (!isJsonObject(kr)) throw new HarnessError('BAD_INPUT', `${where} (${name}): keyRestrictions must be an object { isEnforcementEnabled, enforcementType, aaguids }`);
  for (const k of Object.keys(kr)) if (!RESTRICTION_MEMBERS.includes(k)) throw new HarnessError('BAD_INPUT', `${where} (${name}): keyRestrictions has no member ${JSON.stringify(k)} (fido2KeyRestrictions: isEnforcementEnabled, enforcementType, aaguids)`);
  if (typeof kr.isEnforcementEnabled !== 'boolean') throw new HarnessError('BAD_INPUT', `${where} (${name}): keyRestrictions.isEnforcementEnabled must be true or false`);
  if (kr.enforcementType !== 'allow' && kr.enforcementType !== 'block') throw new HarnessError('BAD_INPUT', `${where} (${name}): keyRestrictions.enforcementType must be "allow" or "block", got ${JSON.stringify(kr.enforcementType)}`);
  const aaguids = kr.aaguids ?? [];
  if (!Array.isArray(aaguids) || aaguids.length > 10_000) throw new HarnessError('BAD_INPUT', `${where} (${name}): keyRestrictions.aaguids must be an array of AAGUIDs`);
  const normalized = aaguids.map((a, j) => {
    const s = typeof a === 'string' ? a.toLowerCase() : '';
    const dashed = /^[0-9a-f]{32}$/.test(s) ? `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}` : s;
    if (!AAGUID_TEXT.test(dashed)) throw new HarnessError('BAD_INPUT', `${where} (${name}): keyRestrictions.aaguids[${j}] ${JSON.stringify(a)} is not an AAGUID`);
    return dashed;
  });
  return { id, name, attestationEnforcement: enforcement, passkeyTypes: [...new Set(rawTypes as PasskeyProfile['passkeyTypes'])], keyRestrictions: { isEnforcementEnabled: kr.isEnforcementEnabled, enforcementType: kr.enforcementType, aaguids: normalized } };
}

/** What a prediction rests on: the key as a run or the metadata shows it. */
export interface PasskeyFacts {
  /** the key's AAGUID (8-4-4-4-12), when known */
  aaguid?: string;
  /** synced (backup eligible, BE=1) or device-bound; undefined: not known (no registration, or "explicit" metadata) */
  synced?: boolean;
  /** why registration with attestation enforced would be refused (empty: it would pass); undefined: not known */
  enforcedProblems?: string[];
  /** why registration without enforcement would be refused (the format rule); undefined: not known */
  unenforcedProblems?: string[];
  /** what is missing for a verdict (e.g. "load metadata") */
  incomplete?: string;
}

export type ProfileVerdict = 'accepted' | 'refused' | 'incomplete';

export interface PasskeyProfilePrediction {
  id: string;
  name: string;
  attestationEnforcement: PasskeyProfile['attestationEnforcement'];
  passkeyTypes: PasskeyProfile['passkeyTypes'];
  registration: { verdict: ProfileVerdict; reasons: string[] };
  signIn: { verdict: ProfileVerdict; reasons: string[] };
}

export interface PasskeyProfilesPrediction {
  source: string;
  /** the user may register when any of their profiles accepts the key */
  registration: ProfileVerdict;
  /** the profiles that accept it */
  acceptedBy: string[];
  profiles: PasskeyProfilePrediction[];
}

function restriction(p: PasskeyProfile, aaguid: string | undefined): { verdict: ProfileVerdict; reason?: string } {
  const kr = p.keyRestrictions;
  if (!kr.isEnforcementEnabled) return { verdict: 'accepted' };
  if (!aaguid) return { verdict: 'incomplete', reason: 'the key\'s AAGUID is not known (no registration and no getInfo)' };
  const listed = kr.aaguids.includes(aaguid);
  if (kr.enforcementType === 'allow' && !listed) return { verdict: 'refused', reason: `AAGUID ${aaguid} is not on the profile's allow list (${kr.aaguids.length} AAGUID${kr.aaguids.length === 1 ? '' : 's'})` };
  if (kr.enforcementType === 'block' && listed) return { verdict: 'refused', reason: `AAGUID ${aaguid} is on the profile's block list` };
  return { verdict: 'accepted' };
}

const worst = (vs: ProfileVerdict[]): ProfileVerdict => (vs.includes('refused') ? 'refused' : vs.includes('incomplete') ? 'incomplete' : 'accepted');

/**
 * Each profile's verdict at registration and at sign-in, with the reasons: key restrictions by
 * AAGUID (both), passkey type (registration: a synced passkey where only device-bound ones are
 * targeted), and attestation (registration, when enforced: Entra's vendor criteria, i.e. a packed
 * statement chaining to the MDS root of a certified key; when not enforced: the format rule).
 */
export function predictPasskeyProfiles(profiles: readonly PasskeyProfile[], facts: PasskeyFacts, source: string): PasskeyProfilesPrediction {
  const out = profiles.map((p): PasskeyProfilePrediction => {
    const reg: { v: ProfileVerdict; r?: string }[] = [];
    const keys = restriction(p, facts.aaguid);
    reg.push({ v: keys.verdict, r: keys.reason });
    if (facts.synced === undefined) {
      if (p.passkeyTypes.length < 2) reg.push({ v: 'incomplete', r: `the profile targets ${p.passkeyTypes[0]} passkeys only, and whether this key's are synced is not known (no registration)` });
    } else {
      const type = facts.synced ? 'synced' : 'deviceBound';
      if (!p.passkeyTypes.includes(type)) reg.push({ v: 'refused', r: `a ${facts.synced ? 'synced passkey (BE=1)' : 'device-bound passkey (BE=0)'}, and the profile targets ${p.passkeyTypes.join(' and ')} passkeys only` });
    }
    const problems = p.attestationEnforcement === 'registrationOnly' ? facts.enforcedProblems : facts.unenforcedProblems;
    if (problems === undefined) reg.push({ v: 'incomplete', r: facts.incomplete ?? 'the attestation was not judged' });
    else for (const x of problems) reg.push({ v: 'refused', r: p.attestationEnforcement === 'registrationOnly' ? `attestation is enforced: ${x}` : x });
    return {
      id: p.id,
      name: p.name,
      attestationEnforcement: p.attestationEnforcement,
      passkeyTypes: p.passkeyTypes,
      registration: { verdict: worst(reg.map((x) => x.v)), reasons: reg.flatMap((x) => (x.r ? [x.r] : [])) },
      signIn: { verdict: keys.verdict, reasons: keys.reason ? [`key restrictions apply at sign-in: ${keys.reason}`] : [] },
    };
  });
  const acceptedBy = out.filter((p) => p.registration.verdict === 'accepted').map((p) => p.name);
  return { source, registration: acceptedBy.length ? 'accepted' : worst(out.map((p) => p.registration.verdict)), acceptedBy, profiles: out };
}

/** One line per profile, as the text and Markdown reports print them. */
export function passkeyProfileLines(p: PasskeyProfilesPrediction): string[] {
  return [
    `Entra passkey profiles (${p.source}): registration ${p.registration}${p.acceptedBy.length ? ` (accepted by ${p.acceptedBy.join(', ')})` : ''}`,
    ...p.profiles.map((x) => `  ${x.name} [attestation ${x.attestationEnforcement === 'registrationOnly' ? 'enforced' : 'not enforced'}; ${x.passkeyTypes.join(' + ')}]: registration ${x.registration.verdict}${x.registration.reasons.length ? ` (${x.registration.reasons.join('; ')})` : ''}; sign-in ${x.signIn.verdict}${x.signIn.reasons.length ? ` (${x.signIn.reasons.join('; ')})` : ''}`),
  ];
}
