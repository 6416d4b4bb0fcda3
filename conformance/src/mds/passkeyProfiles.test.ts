import { describe, expect, it } from 'vitest';
import { predictPasskeyProfiles, readPasskeyProfiles, type PasskeyFacts } from './passkeyProfiles.ts';

const KEY = 'e7a3b1c2-4d5e-4f60-8a9b-0c1d2e3f4a5b';
const OTHER = '2fc0579f-8113-47ea-b116-bb5a8db9202a';
const profile = (o: Record<string, unknown>) => ({ '@odata.type': '#microsoft.graph.passkeyProfile', id: 'p', name: 'P', attestationEnforcement: 'disabled', passkeyTypes: 'deviceBound,synced', keyRestrictions: { isEnforcementEnabled: false, enforcementType: 'allow', aaguids: [] }, ...o });
const read = (doc: unknown) => readPasskeyProfiles(JSON.stringify(doc), 'tenant.json');
const good: PasskeyFacts = { aaguid: KEY, synced: false, enforcedProblems: [], unenforcedProblems: [] };

describe('Entra passkey profiles: the Graph shapes', () => {
  it('one profile, an array, a collection ({ value }) and the policy ({ passkeyProfiles }) read the same; AAGUIDs without dashes or in capitals are normalised', () => {
    const p = profile({ keyRestrictions: { isEnforcementEnabled: true, enforcementType: 'allow', aaguids: [KEY.toUpperCase(), OTHER.replace(/-/g, '')] } });
    for (const doc of [p, [p], { value: [p] }, { passkeyProfiles: [p] }]) {
      expect(read(doc)).toEqual([{ id: 'p', name: 'P', attestationEnforcement: 'disabled', passkeyTypes: ['deviceBound', 'synced'], keyRestrictions: { isEnforcementEnabled: true, enforcementType: 'allow', aaguids: [KEY, OTHER] } }]);
    }
    // the older boolean (isAttestationEnforced) and passkeyTypes as an array
    expect(read(profile({ attestationEnforcement: undefined, isAttestationEnforced: true, passkeyTypes: ['synced'] }))[0]).toMatchObject({ attestationEnforcement: 'registrationOnly', passkeyTypes: ['synced'] });
  });

  it('malformed and hostile profiles are refused naming what is wrong and where', () => {
    const cases: [unknown, RegExp][] = [
      [[], /no passkey profile in it/],
      [[profile({}), profile({}), profile({}), profile({})], /4 passkey profiles; an Entra tenant has at most 3/],
      [42, /expected a passkeyProfile object/],
      [[7], /profile 1 is not a JSON object/],
      [profile({ attestationEnforcment: 'disabled' }), /has no member "attestationEnforcment": did you mean "attestationEnforcement"\?/],
      [profile({ attestationEnforcement: 'always' }), /attestationEnforcement must be "disabled" or "registrationOnly", got "always"/],
      [profile({ passkeyTypes: 'hardware' }), /passkeyTypes must be "deviceBound", "synced" or "deviceBound,synced"/],
      [profile({ passkeyTypes: [] }), /passkeyTypes must be/],
      [profile({ keyRestrictions: { isEnforcementEnabled: 'yes', enforcementType: 'allow', aaguids: [] } }), /isEnforcementEnabled must be true or false/],
      [profile({ keyRestrictions: { isEnforcementEnabled: true, enforcementType: 'deny', aaguids: [] } }), /enforcementType must be "allow" or "block", got "deny"/],
      [profile({ keyRestrictions: { isEnforcementEnabled: true, enforcementType: 'allow', aaguids: ['not-an-aaguid'] } }), /aaguids\[0\] "not-an-aaguid" is not an AAGUID/],
      [profile({ keyRestrictions: { isEnforcementEnabled: true, enforcementType: 'allow', aaguids: [{ a: { b: { c: 1 } } }] } }), /aaguids\[0\] .* is not an AAGUID/],
      [profile({ keyRestrictions: { isEnforcementEnabled: true, enforcementType: 'allow', aaguids: [], extra: 1 } }), /keyRestrictions has no member "extra"/],
      [profile({ id: '' }), /id must be a non-empty string/],
      [profile({ name: 'x'.repeat(300) }), /name must be a non-empty string of at most 256/],
    ];
    for (const [doc, msg] of cases) expect(() => read(doc), JSON.stringify(doc).slice(0, 80)).toThrow(msg);
    expect(() => readPasskeyProfiles('{', 'tenant.json')).toThrow(/tenant\.json is not JSON/);
    expect(() => readPasskeyProfiles(`${'['.repeat(100_000)}`, 'tenant.json')).toThrow(/not JSON|larger than/);
    expect(() => readPasskeyProfiles(' '.repeat(2 * 1024 * 1024), 'tenant.json')).toThrow(/larger than/);
  });
});

describe('Entra passkey profiles: the prediction', () => {
  const predict = (doc: unknown, facts: PasskeyFacts) => predictPasskeyProfiles(read(doc), facts, 'tenant.json');

  it('an allow list with the key, a block list with it, an allow list without it: accepted, refused at registration and sign-in, refused', () => {
    const r = predict([
      profile({ id: 'a', name: 'Allow', keyRestrictions: { isEnforcementEnabled: true, enforcementType: 'allow', aaguids: [KEY] } }),
      profile({ id: 'b', name: 'Block', keyRestrictions: { isEnforcementEnabled: true, enforcementType: 'block', aaguids: [KEY] } }),
      profile({ id: 'c', name: 'Others', keyRestrictions: { isEnforcementEnabled: true, enforcementType: 'allow', aaguids: [OTHER] } }),
    ], good);
    expect(r.profiles.map((p) => [p.name, p.registration.verdict, p.signIn.verdict])).toEqual([['Allow', 'accepted', 'accepted'], ['Block', 'refused', 'refused'], ['Others', 'refused', 'refused']]);
    expect(r.profiles[1]!.registration.reasons).toEqual([`AAGUID ${KEY} is on the profile's block list`]);
    expect(r.profiles[2]!.signIn.reasons[0]).toMatch(/key restrictions apply at sign-in: AAGUID .* is not on the profile's allow list \(1 AAGUID\)/);
    // any profile that accepts is enough for the user
    expect(r).toMatchObject({ registration: 'accepted', acceptedBy: ['Allow'] });
    // restrictions switched off: the lists do not count
    expect(predict(profile({ keyRestrictions: { isEnforcementEnabled: false, enforcementType: 'allow', aaguids: [OTHER] } }), good).registration).toBe('accepted');
  });

  it('attestation enforced: refused with the failing criteria; not enforced: accepted; a synced passkey where only device-bound ones are targeted: refused', () => {
    const enforced = profile({ attestationEnforcement: 'registrationOnly' });
    const r = predict(enforced, { ...good, enforcedProblems: ['ATT_PACKED_CHAIN_TO_MDS_ROOT: chain ends at CN=Other Root'] });
    expect(r.profiles[0]!.registration).toEqual({ verdict: 'refused', reasons: ['attestation is enforced: ATT_PACKED_CHAIN_TO_MDS_ROOT: chain ends at CN=Other Root'] });
    expect(r.profiles[0]!.signIn.verdict).toBe('accepted');
    expect(predict(profile({}), { ...good, enforcedProblems: ['x'] }).registration).toBe('accepted');
    const synced = predict(profile({ passkeyTypes: 'deviceBound' }), { ...good, synced: true });
    expect(synced.profiles[0]!.registration).toEqual({ verdict: 'refused', reasons: ['a synced passkey (BE=1), and the profile targets deviceBound passkeys only'] });
    expect(predict(profile({ passkeyTypes: 'synced' }), good).profiles[0]!.registration.reasons).toEqual(['a device-bound passkey (BE=0), and the profile targets synced passkeys only']);
  });

  it('what is not known makes a verdict incomplete, never accepted: no metadata with enforcement, no registration with a one-type profile, no AAGUID with restrictions', () => {
    const noMetadata = predict(profile({ attestationEnforcement: 'registrationOnly' }), { aaguid: KEY, synced: false, unenforcedProblems: [], incomplete: 'incomplete: load metadata' });
    expect(noMetadata.profiles[0]!.registration).toEqual({ verdict: 'incomplete', reasons: ['incomplete: load metadata'] });
    expect(noMetadata.registration).toBe('incomplete');
    expect(predict(profile({ passkeyTypes: 'deviceBound' }), { ...good, synced: undefined }).registration).toBe('incomplete');
    expect(predict(profile({ keyRestrictions: { isEnforcementEnabled: true, enforcementType: 'block', aaguids: [OTHER] } }), { ...good, aaguid: undefined }).profiles[0]!.signIn.verdict).toBe('incomplete');
  });
});
