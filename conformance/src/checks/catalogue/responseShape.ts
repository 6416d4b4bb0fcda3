import { decodeCbor, type CborValue } from '../../cbor/decodeCbor.ts';
import { parseAuthenticatorData } from '../../webauthn/parseAuthenticatorData.ts';

/**
 * A recorded makeCredential or getAssertion answer read member by member against the tables of
 * CTAP 2.3 §6.1 and §6.2 (types, presence, what may be returned when): the problems found, in
 * words. CTAP2 canonical encoding is HYG_CANONICAL_CBOR's finding.
 */
export function answerProblems(kind: 'makeCredential' | 'getAssertion', bodyB64: string, o: { allowList?: boolean; uv?: boolean }): string[] {
  const problems: string[] = [];
  let map: Map<CborValue, CborValue>;
  try {
    const d = decodeCbor(Buffer.from(bodyB64, 'base64url'), `${kind} answer`);
    if (!(d.value instanceof Map)) return [`the answer is not a CBOR map`];
    map = d.value;
  } catch (e) {
    return [`the answer does not decode: ${(e as Error).message}`];
  }
  const member = (k: number, name: string, type: string, ok: (v: CborValue) => boolean, required: boolean) => {
    const v = map.get(k);
    if (v === undefined) {
      if (required) problems.push(`${name} (0x${k.toString(16).padStart(2, '0')}) missing`);
      return undefined;
    }
    if (!ok(v)) problems.push(`${name} (0x${k.toString(16).padStart(2, '0')}) is not ${type}`);
    return v;
  };
  const bytes = (v: CborValue) => v instanceof Uint8Array;
  const authData = (v: CborValue | undefined, at: boolean) => {
    if (!(v instanceof Uint8Array)) return;
    try {
      // the flags' meaning, the RP ID hash and the AAGUID are other checks' (HYG_UP_ALWAYS,
      // WEBAUTHN_RP_VERIFICATION, CTAP_GETINFO_WELL_FORMED): here, what the answer carries
      const ad = parseAuthenticatorData(v, { allowTrailing: true });
      if (at && !ad.attestedCredentialData) problems.push('makeCredential authData without attested credential data (AT)');
      if (!at && ad.attestedCredentialData) problems.push('getAssertion authData with attested credential data (AT set)');
    } catch (e) {
      problems.push(`authData does not parse: ${(e as Error).message}`);
    }
  };
  if (kind === 'makeCredential') {
    member(0x01, 'fmt', 'a non-empty text string', (v) => typeof v === 'string' && v.length > 0, true);
    authData(member(0x02, 'authData', 'a byte string', bytes, true), true);
    member(0x03, 'attStmt', 'a map', (v) => v instanceof Map, true);
    const ep = member(0x04, 'epAtt', 'a boolean', (v) => typeof v === 'boolean', false);
    if (ep === true) problems.push('epAtt is true although no enterprise attestation was asked for (§6.1: epAtt says one was returned)');
    member(0x05, 'largeBlobKey', 'a 32-byte string', (v) => v instanceof Uint8Array && v.length === 32, false);
  } else {
    const cred = member(0x01, 'credential', 'a map with type and id', (v) => v instanceof Map && typeof v.get('type') === 'string' && v.get('id') instanceof Uint8Array, !o.allowList);
    if (cred === undefined && !map.has(0x01) && o.allowList) {
      // §6.2: the credential may be omitted when the allowList had exactly one entry
    }
    authData(member(0x02, 'authData', 'a byte string', bytes, true), false);
    member(0x03, 'signature', 'a byte string', bytes, true);
    const user = member(0x04, 'user', 'a map with a byte-string id', (v) => v instanceof Map && v.get('id') instanceof Uint8Array, false);
    if (user instanceof Map && !o.uv) {
      const extra = ['name', 'displayName', 'icon'].filter((k) => user.has(k));
      if (extra.length) problems.push(`user ${extra.join(', ')} returned without user verification (§6.2.2: only the user id)`);
    }
    const n = member(0x05, 'numberOfCredentials', 'an integer of at least 1', (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1, false);
    if (n !== undefined && o.allowList) problems.push('numberOfCredentials returned for a request with an allowList (§6.2.2: only for discoverable requests)');
  }
  return problems;
}
