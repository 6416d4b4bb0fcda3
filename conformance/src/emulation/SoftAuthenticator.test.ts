import crypto from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { SoftAuthenticator } from './SoftAuthenticator.ts';
import { AttestationCa } from './AttestationCa.ts';
import { parseAuthenticationResponse, parseRegistrationResponse } from '../webauthn/parseResponse.ts';
import { analyzeRegistration } from '../attestation/analyzeRegistration.ts';

const ORIGIN = 'https://rp.example';
const reg = (user: string, extra: Record<string, unknown> = {}) => ({ challenge: 'Y2g', rp: { id: 'rp.example' }, user: { id: Buffer.from(user).toString('base64url') }, pubKeyCredParams: [{ alg: -7, type: 'public-key' }], authenticatorSelection: { residentKey: 'required', userVerification: 'required' }, ...extra });
const get = (extra: Record<string, unknown> = {}) => ({ challenge: 'Y2g', rpId: 'rp.example', userVerification: 'required', allowCredentials: [], ...extra });
const flagsOf = (json: any) => (json.response.attestationObject ? parseRegistrationResponse(json) : parseAuthenticationResponse(json)).authData.flags;

let ca: AttestationCa;
beforeAll(async () => {
  ca = await AttestationCa.create();
});

describe('SoftAuthenticator, the CTAP2 model', () => {
  it('client PIN: right PIN verifies; wrong PINs count down the retries, then the PIN is blocked', () => {
    const k = new SoftAuthenticator({ features: { uv: false, clientPin: { pin: '1234', retries: 3 } } });
    expect(flagsOf(k.create(reg('a'), ORIGIN)).UV).toBe(true);
    k.pinEntry = '0000';
    expect(() => k.get(get(), ORIGIN)).toThrow(/PIN_INVALID, 2 retries left/);
    expect(() => k.get(get(), ORIGIN)).toThrow(/1 retries left/);
    k.pinEntry = '1234';
    expect(flagsOf(k.get(get(), ORIGIN)).UV).toBe(true); // a right PIN resets the counter
    expect(k.retriesLeft).toBe(3);
    k.pinEntry = '9';
    for (let i = 0; i < 3; i++) expect(() => k.get(get(), ORIGIN)).toThrow(/PIN_INVALID/);
    k.pinEntry = '1234';
    expect(() => k.get(get(), ORIGIN)).toThrow(/PIN_BLOCKED/);
    expect(k.retriesLeft).toBe(0);
  });

  it('user verification only when asked; "discouraged" leaves UV clear; "required" without any UV fails', () => {
    const k = new SoftAuthenticator();
    k.create(reg('a'), ORIGIN);
    expect(flagsOf(k.get(get({ userVerification: 'discouraged' }), ORIGIN)).UV).toBe(false);
    expect(flagsOf(k.get(get({ userVerification: 'preferred' }), ORIGIN)).UV).toBe(true);
    const noUv = new SoftAuthenticator({ features: { uv: false } });
    expect(() => noUv.create(reg('a'), ORIGIN)).toThrow(/no user verification/);
  });

  it('credBlob is stored (up to 32 bytes) and returned on getCredBlob; minPinLength is reported', () => {
    const k = new SoftAuthenticator({ features: { credBlob: true, minPinLength: 6 } });
    const r = parseRegistrationResponse(k.create(reg('a', { extensions: { credBlob: Buffer.from('firmware 1.2').toString('base64url'), minPinLength: true } }), ORIGIN));
    expect(r.authData.extensions?.get('credBlob')).toBe(true);
    expect(r.authData.extensions?.get('minPinLength')).toBe(6);
    const a = parseAuthenticationResponse(k.get(get({ extensions: { getCredBlob: true } }), ORIGIN));
    expect(Buffer.from(a.authData.extensions!.get('credBlob') as Uint8Array).toString()).toBe('firmware 1.2');
    const big = parseRegistrationResponse(k.create(reg('b', { extensions: { credBlob: Buffer.alloc(33).toString('base64url') } }), ORIGIN));
    expect(big.authData.extensions?.get('credBlob')).toBe(false);
  });

  it('a global counter is shared by every credential; per-credential counters are not', () => {
    const g = new SoftAuthenticator({ features: { counter: 'global' } });
    const c1 = g.create(reg('a'), ORIGIN).id;
    const c2 = g.create(reg('b'), ORIGIN).id;
    const count = (k: SoftAuthenticator, id: string) => parseAuthenticationResponse(k.get(get({ allowCredentials: [{ id }] }), ORIGIN)).authData.signCount;
    expect([count(g, c1), count(g, c2), count(g, c1)]).toEqual([1, 2, 3]);
    const p = new SoftAuthenticator();
    const d1 = p.create(reg('a'), ORIGIN).id;
    const d2 = p.create(reg('b'), ORIGIN).id;
    expect([count(p, d1), count(p, d2), count(p, d1)]).toEqual([1, 1, 2]);
  });

  it('resident capacity: full is full; the same user handle replaces its old credential', () => {
    const k = new SoftAuthenticator({ features: { residentCapacity: 2 } });
    k.create(reg('a'), ORIGIN);
    k.create(reg('b'), ORIGIN);
    expect(() => k.create(reg('c'), ORIGIN)).toThrow(/KEY_STORE_FULL/);
    k.create(reg('a'), ORIGIN); // replaces account a
    expect([...k.credentials.values()].filter((c) => c.discoverable)).toHaveLength(2);
  });

  it('largeBlob: supported for resident credentials, written after UV, read back', () => {
    const k = new SoftAuthenticator({ features: { largeBlob: true } });
    expect(k.create(reg('a', { extensions: { largeBlob: { support: 'required' } } }), ORIGIN).clientExtensionResults.largeBlob).toEqual({ supported: true });
    const blob = Buffer.from('vendor data').toString('base64url');
    expect(k.get(get({ extensions: { largeBlob: { write: blob } } }), ORIGIN).clientExtensionResults.largeBlob).toEqual({ written: true });
    expect(k.get(get({ extensions: { largeBlob: { read: true } } }), ORIGIN).clientExtensionResults.largeBlob).toEqual({ blob });
    const none = new SoftAuthenticator();
    expect(none.create(reg('a', { extensions: { largeBlob: { support: 'preferred' } } }), ORIGIN).clientExtensionResults.largeBlob).toEqual({ supported: false });
  });

  it('enterprise attestation: the device-unique certificate only for provisioned RP IDs', async () => {
    const batch = await ca.issueLeaf({ aaguid: '11111111-2222-4333-8444-555555555555', subject: 'C=US, O=Vendor, OU=Authenticator Attestation, CN=Batch 7' });
    const device = await ca.issueLeaf({ aaguid: '11111111-2222-4333-8444-555555555555', subject: 'C=US, O=Vendor, OU=Authenticator Attestation, CN=Device SN 0042' });
    const k = new SoftAuthenticator({ aaguid: Buffer.from('11111111222243338444555555555555', 'hex'), attestation: 'packed-full', attestationKey: batch.privateKey, x5c: [batch.der], enterprise: { rpIds: ['rp.example'], key: device.privateKey, x5c: [device.der] } });
    const subjectOf = (json: any) => new crypto.X509Certificate((parseRegistrationResponse(json).attStmt.get('x5c') as Uint8Array[])[0]!).subject;
    expect(subjectOf(k.create(reg('a', { attestation: 'enterprise' }), ORIGIN))).toContain('Device SN 0042');
    expect(subjectOf(k.create(reg('b', { attestation: 'direct' }), ORIGIN))).toContain('Batch 7');
    const other = k.create({ ...reg('c', { attestation: 'enterprise' }), rp: { id: 'other.example' } }, 'https://other.example');
    expect(subjectOf(other)).toContain('Batch 7');
    const a = analyzeRegistration(parseRegistrationResponse(k.create(reg('d', { attestation: 'enterprise' }), ORIGIN)), { challenge: 'Y2g', origins: [ORIGIN], rpId: 'rp.example', at: new Date(), roots: [new crypto.X509Certificate(ca.rootDer)] });
    expect(a).toMatchObject({ verified: true, trust: 'trusted' });
  });

  it('fido-u2f attestation verifies as such', async () => {
    const leaf = await ca.issueLeaf({ aaguid: '00000000-0000-0000-0000-000000000000', noAaguidExtension: true });
    const k = new SoftAuthenticator({ attestation: 'fido-u2f', attestationKey: leaf.privateKey, x5c: [leaf.der] });
    const json = k.create(reg('a', { authenticatorSelection: { residentKey: 'discouraged', userVerification: 'discouraged' } }), ORIGIN);
    const a = analyzeRegistration(parseRegistrationResponse(json), { challenge: 'Y2g', origins: [ORIGIN], rpId: 'rp.example', at: new Date(), roots: [new crypto.X509Certificate(ca.rootDer)] });
    expect(a).toMatchObject({ verified: true, fmt: 'fido-u2f', trust: 'trusted' });
    expect(a.findings.find((f) => f.code === 'ATT_U2F_SIGNATURE')?.status).toBe('pass');
  });
});
